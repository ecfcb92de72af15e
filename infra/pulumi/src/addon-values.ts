import { addOnRequests, edge, monitoringStack, restrictedSecurityContext } from '@homelab/platform';
import { addonSecrets } from './addon-secrets.ts';
import type { ClusterFlavour } from './stack-settings.ts';

export interface AddonValuesOptions {
  readonly flavour: ClusterFlavour;
  readonly storageClass: string;
  /** Secret mounted into Alertmanager under /etc/alertmanager/secrets/<name>/ (the receivers' URLs). */
  readonly alertmanagerReceiversSecret: string;
}

type Chart = (typeof addOnRequests)[number]['chart'];

/**
 * Requests of one add-on pod, from @homelab/platform `addOnRequests` (the footprint budget sums the same
 * numbers), so the chart gets exactly what the budget counts.
 */
export function requestsOf(chart: Chart, pod: string): { cpu: string; memory: string } {
  const entry = addOnRequests.find((r) => r.chart === chart && r.pod === pod);
  if (!entry) throw new Error(`@homelab/platform addOnRequests has no ${chart}/${pod}`);
  return { cpu: `${entry.cpuMillis}m`, memory: `${entry.memoryMiB}Mi` };
}

/** Memory limit = 2 x request: room for a spike, a bound on a leak. No CPU limits (ADR 0003). */
const sized = (chart: Chart, pod: string) => {
  const requests = requestsOf(chart, pod);
  return { requests, limits: { memory: `${Number.parseInt(requests.memory, 10) * 2}Mi` } };
};

/** cert-manager with its CRDs in the release, one replica each, metrics for the certificate alerts. */
export const certManagerValues = () => ({
  // CRDs as part of the release: upgraded with it, and removed by `pulumi destroy` (keep: false) so a reset
  // leaves no stale schema behind.
  crds: { enabled: true, keep: false },
  replicaCount: 1,
  resources: sized('cert-manager', 'controller'),
  webhook: { replicaCount: 1, resources: sized('cert-manager', 'webhook') },
  cainjector: { replicaCount: 1, resources: sized('cert-manager', 'cainjector') },
  // The post-install check waits until the webhook answers, so the release is ready only when a Certificate
  // can be created: the Helm hook is one reason this is a Release and not a client-side chart (ADR 0051).
  startupapicheck: { enabled: true },
  prometheus: {
    enabled: true,
    servicemonitor: { enabled: true, labels: monitoringStack.releaseLabel },
  },
});

/** Envoy Gateway (with the Gateway API CRDs), one controller sized for a mini PC. */
export const envoyGatewayValues = () => ({
  config: { envoyGateway: { gateway: { controllerName: edge.controllerName } } },
  // The pre-install certgen Job, explicitly restricted rather than trusting the chart's default: the edge namespace
  // enforces Pod Security `restricted`, and a hook Job it rejects fails the whole release.
  certgen: { job: { securityContext: restrictedSecurityContext.container } },
  deployment: {
    replicas: 1,
    envoyGateway: { resources: sized('envoy-gateway', 'controller') },
  },
});

/**
 * kube-prometheus-stack for one node: 7 days of metrics on a small volume, control-plane scrapes that k3s and
 * kind do not expose switched off (they would only raise TargetDown), Grafana dashboards from labelled
 * ConfigMaps, Alertmanager configured from a Secret.
 */
export const kubePrometheusStackValues = (options: AddonValuesOptions) => ({
  crds: { enabled: true },
  defaultRules: {
    rules: {
      etcd: false,
      kubeControllerManager: false,
      kubeSchedulerAlerting: false,
      kubeSchedulerRecording: false,
      kubeProxy: false,
    },
  },
  kubeEtcd: { enabled: false },
  kubeControllerManager: { enabled: false },
  kubeScheduler: { enabled: false },
  kubeProxy: { enabled: false },
  prometheusOperator: { resources: sized('kube-prometheus-stack', 'operator') },
  prometheus: {
    prometheusSpec: {
      scrapeInterval: monitoringStack.scrapeInterval,
      retention: '7d',
      // Below the volume size, so Prometheus drops old blocks before the disk fills.
      retentionSize: '4GB',
      resources: sized('kube-prometheus-stack', 'prometheus'),
      storageSpec: {
        volumeClaimTemplate: {
          spec: {
            storageClassName: options.storageClass,
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '5Gi' } },
          },
        },
      },
    },
  },
  alertmanager: {
    alertmanagerSpec: {
      // The chart's own config would be rendered from values into state; ours comes from a Secret.
      useExistingSecret: true,
      configSecret: addonSecrets.alertmanagerConfig.name,
      secrets: [options.alertmanagerReceiversSecret],
      resources: sized('kube-prometheus-stack', 'alertmanager'),
    },
  },
  grafana: {
    admin: {
      existingSecret: addonSecrets.grafanaAdmin.name,
      userKey: addonSecrets.grafanaAdmin.userKey,
      passwordKey: addonSecrets.grafanaAdmin.passwordKey,
    },
    // Dashboards are code (ConfigMaps); nothing in Grafana's own database needs to survive a restart.
    persistence: { enabled: false },
    resources: sized('kube-prometheus-stack', 'grafana'),
    sidecar: {
      dashboards: {
        enabled: true,
        label: Object.keys(monitoringStack.grafanaDashboardLabel)[0],
        labelValue: Object.values(monitoringStack.grafanaDashboardLabel)[0],
      },
    },
  },
  'kube-state-metrics': { resources: sized('kube-prometheus-stack', 'kube-state-metrics') },
  'prometheus-node-exporter': {
    resources: sized('kube-prometheus-stack', 'node-exporter'),
    // kind's node is a container whose / is not a shared mount: node-exporter's rslave host-root mount fails.
    ...(options.flavour === 'kind' ? { hostRootFsMount: { enabled: false } } : {}),
  },
});

/** metrics-server for HPAs; kind's kubelets serve self-signed certificates, so it skips their verification. */
export const metricsServerValues = (options: Pick<AddonValuesOptions, 'flavour'>) => ({
  replicas: 1,
  resources: sized('metrics-server', 'metrics-server'),
  ...(options.flavour === 'kind' ? { args: ['--kubelet-insecure-tls'] } : {}),
});
