import {
  type AppName,
  appImageTag,
  apps,
  clusterServices,
  data,
  defaultStorageClass,
  edge,
  k8sLabels,
  monitoringStack,
  namespaces,
  partOf,
  project,
  secretMountPath,
  secretNames,
  tls,
} from '@homelab/platform';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { AcmeIssuer, type AcmeIssuerProps } from './constructs/acme-issuer.ts';
import { AppWorkload } from './constructs/app-workload.ts';
import { DeployerRbac } from './constructs/deployer-rbac.ts';
import { controllerCreatedPods } from './constructs/exemptions.ts';
import { HomelabGatewayClass } from './constructs/gateway-class.ts';
import { Gateways } from './constructs/gateways.ts';
import { type Dashboard, GrafanaDashboards } from './constructs/grafana-dashboards.ts';
import { componentLabels } from './constructs/labels.ts';
import { MigrationJob } from './constructs/migration-job.ts';
import { platformFlows } from './constructs/network-flows.ts';
import { NetworkPolicies } from './constructs/network-policies.ts';
import { PlatformNamespaces } from './constructs/platform-namespaces.ts';
import { MetricsPodMonitor } from './constructs/pod-monitor.ts';
import { Postgres } from './constructs/postgres.ts';
import { PostgresBackup } from './constructs/postgres-backup.ts';
import { PrivateCaCertificate, PrivateCaIssuers } from './constructs/private-ca.ts';
import { PrometheusRules, type RuleFile } from './constructs/prometheus-rules.ts';
import { Redis } from './constructs/redis.ts';
import { WeightedRoute } from './constructs/weighted-route.ts';

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
}

/** The one place an app's image name is built; the deploy swaps the tag for a digest. */
export const appImage = (name: AppName): string => `${project.imageRepository}/${name}:${appImageTag}`;

const serviceHost = (service: string, namespace: string): string =>
  `${service}.${namespace}.svc.${clusterServices.clusterDomain}`;

/** Common environment of every service (the service kit's base schema). */
const baseConfig = (name: AppName): Record<string, string> => ({
  PORT: String(apps[name].port),
  LOG_LEVEL: 'info',
  SERVICE_VERSION: appImageTag,
  FAULTS_ENABLED: 'false',
});

/**
 * The whole platform as cdk8s charts, one output file per chart: cluster-scoped objects, cert-manager's CA,
 * edge, apps, data and monitoring.
 */
export const buildPlatform = (options: PlatformOptions): App => {
  const app = new App({
    outdir: options.outdir,
    outputFileExtension: '.k8s.yaml',
    yamlOutputType: YamlOutputType.FILE_PER_CHART,
  });
  const storageClass = options.storageClass ?? defaultStorageClass;
  const flows = platformFlows();
  const labels = { [k8sLabels.partOf]: partOf, [k8sLabels.managedBy]: 'cdk8s' };

  // Cluster-scoped objects: a chart without a namespace, which cdk8s would otherwise stamp on them.
  const cluster = new Chart(app, 'cluster', { labels });
  new PlatformNamespaces(cluster, 'namespaces');
  const gatewayClass = new HomelabGatewayClass(cluster, 'gateway-class', {
    defaultProxy: { name: edge.public.name, namespace: namespaces.edge },
  });
  new PrivateCaIssuers(cluster, 'private-ca');
  if (options.acme) new AcmeIssuer(cluster, 'acme', options.acme);

  const certManager = new Chart(app, 'cert-manager', { namespace: tls.certManagerNamespace, labels });
  new PrivateCaCertificate(certManager, 'private-ca');

  const edgeChart = new Chart(app, 'edge', { namespace: namespaces.edge, labels });
  const gateways = new Gateways(edgeChart, 'gateways', { gatewayClassName: gatewayClass.name });
  new MetricsPodMonitor(edgeChart, 'envoy-monitor', {
    name: 'envoy-proxies',
    podLabels: edge.proxyCommonLabels,
    portName: edge.proxyMetrics.portName,
    path: edge.proxyMetrics.path,
  });
  new NetworkPolicies(edgeChart, 'network-policies', {
    namespace: namespaces.edge,
    flows,
    exemption: controllerCreatedPods,
  });

  const dataChart = new Chart(app, 'data', { namespace: namespaces.data, labels });
  const postgres = new Postgres(dataChart, 'postgres', { storageClass });
  const redis = new Redis(dataChart, 'redis', { storageClass });
  new PostgresBackup(dataChart, 'backup', { postgres, storageClass });
  new MetricsPodMonitor(dataChart, 'postgres-monitor', {
    name: postgres.name,
    podLabels: postgres.podLabels,
    portName: 'metrics',
  });
  new MetricsPodMonitor(dataChart, 'redis-monitor', {
    name: redis.name,
    podLabels: redis.podLabels,
    portName: 'metrics',
  });
  new NetworkPolicies(dataChart, 'network-policies', { namespace: namespaces.data, flows });

  const appsChart = new Chart(app, 'apps', { namespace: namespaces.apps, labels });
  const secretFile = (secret: string, key: string) => `${secretMountPath}/${secret}/${key}`;
  const gateway = new AppWorkload(appsChart, 'gateway', {
    app: apps.gateway,
    image: appImage('gateway'),
    config: {
      ...baseConfig('gateway'),
      // East-west through the internal Gateway, so the API's canary weight applies to gateway traffic too.
      API_URL: `http://${gateways.internalServiceHost}`,
      API_KEYS_FILE: secretFile(secretNames.gatewayApiKeys, 'keys'),
      JWT_SECRET_FILE: secretFile(secretNames.gatewayJwt, 'secret'),
      IDENTITY_TOKEN_SECRET_FILE: secretFile(secretNames.identityToken, 'secret'),
      WEB_ORIGIN: `https://${gateways.hostnames.web}`,
      // Token buckets shared by every replica; without it each pod would grant its own burst.
      REDIS_URL: `redis://${serviceHost(redis.serviceName, namespaces.data)}:${data.redis.port}`,
    },
    secretFiles: [secretNames.gatewayApiKeys, secretNames.gatewayJwt, secretNames.identityToken],
  });
  const web = new AppWorkload(appsChart, 'web', {
    app: apps.web,
    image: appImage('web'),
    config: {
      ...baseConfig('web'),
      // Server-side calls go to the gateway's stable Service inside the namespace; external API clients get the
      // weighted public route.
      GATEWAY_URL: `http://${serviceHost(gateway.stable.serviceName, namespaces.apps)}:${gateway.stable.servicePort}`,
      // Shared with the gateway: the web app mints short-lived tokens for the signed-in identity.
      JWT_SECRET_FILE: secretFile(secretNames.gatewayJwt, 'secret'),
      SESSION_SECRET_FILE: secretFile(secretNames.webSession, 'secret'),
      COOKIE_SECURE: 'true',
      PROMETHEUS_URL: `http://${serviceHost(monitoringStack.prometheusService.name, namespaces.monitoring)}:${monitoringStack.prometheusService.port}`,
    },
    secretFiles: [secretNames.gatewayJwt, secretNames.webSession],
  });
  const api = new AppWorkload(appsChart, 'api', {
    app: apps.api,
    image: appImage('api'),
    config: {
      ...baseConfig('api'),
      REDIS_URL: `redis://${serviceHost(redis.serviceName, namespaces.data)}:${data.redis.port}`,
      ADMIN_TOKEN_FILE: secretFile(secretNames.apiAdminToken, 'token'),
      DATABASE_URL_FILE: secretFile(secretNames.apiDatabase, 'url'),
      IDENTITY_TOKEN_SECRET_FILE: secretFile(secretNames.identityToken, 'secret'),
    },
    secretFiles: [secretNames.apiAdminToken, secretNames.apiDatabase, secretNames.identityToken],
  });
  const workloads = [web, gateway, api];
  const routes = [
    new WeightedRoute(appsChart, 'web-route', {
      workload: web,
      listener: gateways.publicHttps,
      hostnames: [gateways.hostnames.web],
    }),
    new WeightedRoute(appsChart, 'gateway-route', {
      workload: gateway,
      listener: gateways.publicHttps,
      hostnames: [gateways.hostnames.api],
    }),
    new WeightedRoute(appsChart, 'api-route', { workload: api, listener: gateways.internalHttp }),
  ];
  new MigrationJob(appsChart, 'migration', { image: appImage('api') });
  new DeployerRbac(appsChart, 'deployer', { workloads, routes });
  for (const workload of workloads) {
    new MetricsPodMonitor(appsChart, `${workload.app.name}-monitor`, {
      name: workload.app.name,
      podLabels: componentLabels(workload.app.name),
      portName: 'http',
    });
  }
  new NetworkPolicies(appsChart, 'network-policies', { namespace: namespaces.apps, flows });

  const monitoring = new Chart(app, 'monitoring', { namespace: namespaces.monitoring, labels });
  new PrometheusRules(monitoring, 'rules', { ruleFiles: options.ruleFiles ?? [] });
  new GrafanaDashboards(monitoring, 'dashboards', { dashboards: options.dashboards ?? [] });
  return app;
};
