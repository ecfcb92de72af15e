import { type ApiImplementation, defaultStorageClass, k8sLabels, namespaces, partOf } from '@homelab/platform';
import { App, YamlOutputType } from 'cdk8s';
import { AppsChart } from './charts/apps-chart.ts';
import { CertManagerChart } from './charts/cert-manager-chart.ts';
import { ClusterChart } from './charts/cluster-chart.ts';
import { DataChart } from './charts/data-chart.ts';
import { EdgeChart } from './charts/edge-chart.ts';
import { MonitoringChart } from './charts/monitoring-chart.ts';
import type { AcmeIssuerProps } from './constructs/acme-issuer.ts';
import { controllerCreatedPods } from './constructs/exemptions.ts';
import type { Dashboard } from './constructs/grafana-dashboards.ts';
import { type Flow, platformFlows } from './constructs/network-flows.ts';
import { NetworkPolicies } from './constructs/network-policies.ts';
import type { RuleFile } from './constructs/prometheus-rules.ts';

export { appImage } from './charts/apps-chart.ts';

export interface PlatformOptions {
  /** Where `synth()` writes the files. */
  readonly outdir: string;
  /** PrometheusRule contents, from `@homelab/observability`'s `prometheusRules()`. Default: none. */
  readonly ruleFiles?: readonly RuleFile[];
  /** Grafana dashboards, from `@homelab/observability`'s `dashboards()`. Default: none. */
  readonly dashboards?: readonly Dashboard[];
  /** Storage class for every volume. Default: k3s's `local-path` (kind: `standard`). */
  readonly storageClass?: string;
  /** An ACME DNS-01 issuer, only when a real domain is configured. Default: none (the private CA only). */
  readonly acme?: AcmeIssuerProps;
  /** The notes API implementation the api workload and migration Job run (ADR 0135). Default 'ts'. */
  readonly apiImplementation?: ApiImplementation;
}

/**
 * The whole platform as cdk8s charts, one output file per chart: cluster-scoped objects, cert-manager's CA,
 * edge, apps, data and monitoring. The NetworkPolicies come last: their flows are built from the constructs.
 * Returns the app and the flows it opened (the proofs check the synthesized policies against them).
 */
export const platformParts = (options: PlatformOptions): { app: App; flows: Flow[] } => {
  const app = new App({
    outdir: options.outdir,
    outputFileExtension: '.k8s.yaml',
    yamlOutputType: YamlOutputType.FILE_PER_CHART,
  });
  const labels = { [k8sLabels.partOf]: partOf, [k8sLabels.managedBy]: 'cdk8s' };
  const cluster = new ClusterChart(app, 'cluster', { labels, ...(options.acme ? { acme: options.acme } : {}) });
  new CertManagerChart(app, 'cert-manager', { labels });
  const edge = new EdgeChart(app, 'edge', { labels, gatewayClassName: cluster.gatewayClass.name });
  const data = new DataChart(app, 'data', { labels, storageClass: options.storageClass ?? defaultStorageClass });
  const apps = new AppsChart(app, 'apps', {
    labels,
    gateways: edge.gateways,
    redis: data.redis,
    ...(options.apiImplementation ? { apiImplementation: options.apiImplementation } : {}),
  });
  new MonitoringChart(app, 'monitoring', {
    labels,
    ruleFiles: options.ruleFiles ?? [],
    dashboards: options.dashboards ?? [],
  });

  const flows = platformFlows({
    web: apps.web,
    gateway: apps.gateway,
    api: apps.api,
    postgres: data.postgres,
    redis: data.redis,
    migration: apps.migration,
    backup: { pods: data.backup.backupPods },
    restore: { pods: data.backup.restorePods },
  });
  new NetworkPolicies(edge, 'network-policies', {
    namespace: namespaces.edge,
    flows,
    exemption: controllerCreatedPods,
  });
  new NetworkPolicies(data, 'network-policies', { namespace: namespaces.data, flows });
  new NetworkPolicies(apps, 'network-policies', { namespace: namespaces.apps, flows });
  return { app, flows };
};

/** The platform's cdk8s app; `synth()` writes one file per chart into `options.outdir`. */
export const buildPlatform = (options: PlatformOptions): App => platformParts(options).app;
