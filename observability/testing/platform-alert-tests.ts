import { namespaces } from '@homelab/platform';
import { isAlertingRule } from '../src/alert-rule.ts';
import { prometheusRules } from '../src/prometheus-rules.ts';
import { expectedAlert, type InputSeries, type PromtoolTest, type PromtoolTestFile } from './promtool-test-file.ts';

interface Scenario {
  series: InputSeries[];
  evalTime: string;
}

interface PlatformAlertCase {
  alert: string;
  /** Fires at `evalTime` with these labels from the series (the rule adds severity and component). */
  fires: Scenario & { labels: Record<string, string> };
  /** The closest healthy (or deliberately excluded) situation: silent at `evalTime`. */
  silent: Scenario & { why: string };
}

const pod = { namespace: namespaces.apps, pod: 'api-7d9f-abcde', container: 'api' };
const podSelector = `namespace="${pod.namespace}",pod="${pod.pod}",container="${pod.container}"`;
const certificate = { namespace: namespaces.edge, name: 'gateway-tls' };
const certSelector = `namespace="${certificate.namespace}",name="${certificate.name}"`;
const volume = { namespace: namespaces.data, persistentvolumeclaim: 'data-postgres-0' };
const volumeSelector = `namespace="${volume.namespace}",persistentvolumeclaim="${volume.persistentvolumeclaim}"`;
const hpa = `namespace="${namespaces.apps}",horizontalpodautoscaler="api"`;
const deployment = `namespace="${namespaces.apps}",deployment="api"`;
const restartEvery3m = Array.from({ length: 14 }, (_, restarts) => `${restarts}x2`).join(' ');
const envoyCluster = 'httproute/homelab-apps/api/rule/0';

/** Every platform alert, with one firing and one silent scenario on the exporters' real series names. */
const cases: PlatformAlertCase[] = [
  {
    alert: 'CertManagerCertificateExpiringSoon',
    fires: {
      // Expires 8 h after the epoch; renewal was due at 10 min and never happened.
      series: [
        { series: `certmanager_certificate_expiration_timestamp_seconds{${certSelector}}`, values: '28800x60' },
        { series: `certmanager_certificate_renewal_timestamp_seconds{${certSelector}}`, values: '600x60' },
      ],
      evalTime: '45m',
      labels: certificate,
    },
    silent: {
      why: 'expires within 14 days but the renewal is still scheduled in the future',
      series: [
        { series: `certmanager_certificate_expiration_timestamp_seconds{${certSelector}}`, values: '86400x60' },
        { series: `certmanager_certificate_renewal_timestamp_seconds{${certSelector}}`, values: '57600x60' },
      ],
      evalTime: '45m',
    },
  },
  {
    alert: 'CertManagerCertificateNotReady',
    fires: {
      series: [
        { series: `certmanager_certificate_ready_status{${certSelector},condition="True"}`, values: '0x30' },
        { series: `certmanager_certificate_ready_status{${certSelector},condition="False"}`, values: '1x30' },
      ],
      evalTime: '20m',
      labels: certificate,
    },
    silent: {
      why: 'Ready',
      series: [
        { series: `certmanager_certificate_ready_status{${certSelector},condition="True"}`, values: '1x30' },
        { series: `certmanager_certificate_ready_status{${certSelector},condition="False"}`, values: '0x30' },
      ],
      evalTime: '20m',
    },
  },
  {
    alert: 'KubePodCrashLooping',
    fires: {
      // A restart every 3 minutes, as kubelet's back-off allows early in a crash loop.
      series: [{ series: `kube_pod_container_status_restarts_total{${podSelector}}`, values: restartEvery3m }],
      evalTime: '30m',
      labels: pod,
    },
    silent: {
      why: 'one restart in the window',
      series: [{ series: `kube_pod_container_status_restarts_total{${podSelector}}`, values: '0x10 1x30' }],
      evalTime: '30m',
    },
  },
  {
    alert: 'KubeContainerOOMKilled',
    fires: {
      series: [
        { series: `kube_pod_container_status_restarts_total{${podSelector}}`, values: '0x20 1x10' },
        {
          series: `kube_pod_container_status_last_terminated_reason{${podSelector},reason="OOMKilled"}`,
          values: '1x30',
        },
      ],
      evalTime: '23m',
      labels: pod,
    },
    silent: {
      why: 'restarted, but the last termination was an error, not the OOM killer',
      series: [
        { series: `kube_pod_container_status_restarts_total{${podSelector}}`, values: '0x20 1x10' },
        { series: `kube_pod_container_status_last_terminated_reason{${podSelector},reason="Error"}`, values: '1x30' },
      ],
      evalTime: '23m',
    },
  },
  {
    alert: 'KubePersistentVolumeFillingUp',
    fires: {
      series: [
        { series: `kubelet_volume_stats_available_bytes{${volumeSelector}}`, values: '500000000x20' },
        { series: `kubelet_volume_stats_capacity_bytes{${volumeSelector}}`, values: '10000000000x20' },
        {
          series: `kube_persistentvolumeclaim_access_mode{${volumeSelector},access_mode="ReadWriteOnce"}`,
          values: '1x20',
        },
      ],
      evalTime: '10m',
      labels: volume,
    },
    silent: {
      why: 'a read-only volume is full by design',
      series: [
        { series: `kubelet_volume_stats_available_bytes{${volumeSelector}}`, values: '500000000x20' },
        { series: `kubelet_volume_stats_capacity_bytes{${volumeSelector}}`, values: '10000000000x20' },
        {
          series: `kube_persistentvolumeclaim_access_mode{${volumeSelector},access_mode="ReadOnlyMany"}`,
          values: '1x20',
        },
      ],
      evalTime: '10m',
    },
  },
  {
    alert: 'KubeHpaMaxedOut',
    fires: {
      series: [
        { series: `kube_horizontalpodautoscaler_status_current_replicas{${hpa}}`, values: '4x30' },
        { series: `kube_horizontalpodautoscaler_spec_max_replicas{${hpa}}`, values: '4x30' },
      ],
      evalTime: '20m',
      labels: { namespace: namespaces.apps, horizontalpodautoscaler: 'api' },
    },
    silent: {
      why: 'one replica of headroom left',
      series: [
        { series: `kube_horizontalpodautoscaler_status_current_replicas{${hpa}}`, values: '3x30' },
        { series: `kube_horizontalpodautoscaler_spec_max_replicas{${hpa}}`, values: '4x30' },
      ],
      evalTime: '20m',
    },
  },
  {
    alert: 'KubeDeploymentRolloutStuck',
    fires: {
      series: [
        {
          series: `kube_deployment_status_condition{${deployment},condition="Progressing",status="false"}`,
          values: '1x30',
        },
        { series: `kube_deployment_status_observed_generation{${deployment}}`, values: '3x30' },
        { series: `kube_deployment_metadata_generation{${deployment}}`, values: '3x30' },
      ],
      evalTime: '20m',
      labels: { namespace: namespaces.apps, deployment: 'api', condition: 'Progressing', status: 'false' },
    },
    silent: {
      why: 'progressing and observed',
      series: [
        {
          series: `kube_deployment_status_condition{${deployment},condition="Progressing",status="false"}`,
          values: '0x30',
        },
        { series: `kube_deployment_status_observed_generation{${deployment}}`, values: '3x30' },
        { series: `kube_deployment_metadata_generation{${deployment}}`, values: '3x30' },
      ],
      evalTime: '20m',
    },
  },
  {
    alert: 'CoreDNSErrorsHigh',
    fires: {
      series: [
        { series: 'coredns_dns_responses_total{server="dns://:53",zone=".",rcode="NOERROR"}', values: '0+95x30' },
        { series: 'coredns_dns_responses_total{server="dns://:53",zone=".",rcode="SERVFAIL"}', values: '0+5x30' },
      ],
      evalTime: '20m',
      labels: {},
    },
    silent: {
      why: '1 % SERVFAIL is under the threshold',
      series: [
        { series: 'coredns_dns_responses_total{server="dns://:53",zone=".",rcode="NOERROR"}', values: '0+99x30' },
        { series: 'coredns_dns_responses_total{server="dns://:53",zone=".",rcode="SERVFAIL"}', values: '0+1x30' },
      ],
      evalTime: '20m',
    },
  },
  {
    alert: 'PostgresDown',
    fires: {
      series: [{ series: `pg_up{namespace="${namespaces.data}",instance="postgres-0"}`, values: '1x2 0x10' }],
      evalTime: '5m',
      labels: { namespace: namespaces.data, instance: 'postgres-0' },
    },
    silent: {
      why: 'up',
      series: [{ series: `pg_up{namespace="${namespaces.data}",instance="postgres-0"}`, values: '1x10' }],
      evalTime: '5m',
    },
  },
  {
    alert: 'RedisDown',
    fires: {
      series: [{ series: `redis_up{namespace="${namespaces.data}",instance="redis-0"}`, values: '0x20' }],
      evalTime: '10m',
      labels: { namespace: namespaces.data, instance: 'redis-0' },
    },
    silent: {
      why: 'down for less than 5 minutes',
      series: [{ series: `redis_up{namespace="${namespaces.data}",instance="redis-0"}`, values: '1x6 0x10' }],
      evalTime: '10m',
    },
  },
  {
    alert: 'EnvoyUpstreamErrorsHigh',
    fires: {
      series: [
        {
          series: `envoy_cluster_upstream_rq_xx{envoy_cluster_name="${envoyCluster}",envoy_response_code_class="5"}`,
          values: '0+10x20',
        },
        {
          series: `envoy_cluster_upstream_rq_xx{envoy_cluster_name="${envoyCluster}",envoy_response_code_class="2"}`,
          values: '0+90x20',
        },
        { series: `envoy_cluster_upstream_rq_total{envoy_cluster_name="${envoyCluster}"}`, values: '0+100x20' },
      ],
      evalTime: '15m',
      labels: { envoy_cluster_name: envoyCluster },
    },
    silent: {
      why: '1 % upstream errors',
      series: [
        {
          series: `envoy_cluster_upstream_rq_xx{envoy_cluster_name="${envoyCluster}",envoy_response_code_class="5"}`,
          values: '0+1x20',
        },
        { series: `envoy_cluster_upstream_rq_total{envoy_cluster_name="${envoyCluster}"}`, values: '0+100x20' },
      ],
      evalTime: '15m',
    },
  },
  {
    alert: 'TargetDown',
    fires: {
      series: [
        { series: `up{job="api",namespace="${namespaces.apps}",instance="10.0.0.1:3002"}`, values: '0x20' },
        { series: `up{job="api",namespace="${namespaces.apps}",instance="10.0.0.2:3002"}`, values: '1x20' },
      ],
      evalTime: '15m',
      labels: { job: 'api', namespace: namespaces.apps },
    },
    silent: {
      why: 'every target up',
      series: [
        { series: `up{job="api",namespace="${namespaces.apps}",instance="10.0.0.1:3002"}`, values: '1x20' },
        { series: `up{job="api",namespace="${namespaces.apps}",instance="10.0.0.2:3002"}`, values: '1x20' },
      ],
      evalTime: '15m',
    },
  },
];

/** The Watchdog has no silent case: it must fire from the first evaluation, with no input at all. */
const watchdogTest = (): PromtoolTest => ({
  name: 'Watchdog: always firing',
  interval: '1m',
  input_series: [],
  alert_rule_test: [{ eval_time: '0m', alertname: 'Watchdog', exp_alerts: [expectedAlert(findAlert('Watchdog'), {})] }],
});

function findAlert(name: string) {
  const rule = prometheusRules()
    .flatMap((set) => set.groups.flatMap((g) => g.rules))
    .filter(isAlertingRule)
    .find((r) => r.alert === name);
  if (!rule) throw new Error(`no alert named ${name}`);
  return rule;
}

/** The alerts this file covers, so a test can hold that no platform alert goes untested. */
export const platformAlertsTested = (): string[] => [...cases.map((c) => c.alert), 'Watchdog'];

export function platformAlertTestFile(ruleFileDir: string): PromtoolTestFile {
  const tests = cases.flatMap((c): PromtoolTest[] => [
    {
      name: `${c.alert}: fires`,
      interval: '1m',
      input_series: c.fires.series,
      alert_rule_test: [
        {
          eval_time: c.fires.evalTime,
          alertname: c.alert,
          exp_alerts: [expectedAlert(findAlert(c.alert), c.fires.labels)],
        },
      ],
    },
    {
      name: `${c.alert}: silent when ${c.silent.why}`,
      interval: '1m',
      input_series: c.silent.series,
      alert_rule_test: [{ eval_time: c.silent.evalTime, alertname: c.alert, exp_alerts: [] }],
    },
  ]);
  return {
    rule_files: prometheusRules()
      .filter((set) => set.name.startsWith('platform-'))
      .map((set) => `${ruleFileDir}/${set.name}.yaml`),
    evaluation_interval: '1m',
    tests: [...tests, watchdogTest()],
  };
}
