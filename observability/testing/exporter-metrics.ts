/**
 * Metric names the platform's exporters expose and the rules or dashboards read, each list with its source, so a
 * test can hold that no query names a metric nothing exposes. The apps' own metrics are not listed here: the
 * dashboard test reads them from the apps' real /metrics output.
 */
export const exporterMetrics: Record<string, { source: string; metrics: readonly string[] }> = {
  'kube-state-metrics': {
    source:
      'kube-state-metrics docs/metrics/workload/{pod,deployment,horizontalpodautoscaler}-metrics.md, storage/persistentvolumeclaim-metrics.md, cluster/node-metrics.md (v2.x)',
    metrics: [
      'kube_pod_container_status_restarts_total',
      'kube_pod_container_status_last_terminated_reason',
      'kube_pod_status_ready',
      'kube_deployment_status_condition',
      'kube_deployment_status_observed_generation',
      'kube_deployment_metadata_generation',
      'kube_horizontalpodautoscaler_status_current_replicas',
      'kube_horizontalpodautoscaler_spec_max_replicas',
      'kube_persistentvolumeclaim_access_mode',
      'kube_node_status_condition',
    ],
  },
  kubelet: {
    source: 'kubelet /metrics, pkg/kubelet/metrics/collectors/volume_stats.go',
    metrics: ['kubelet_volume_stats_available_bytes', 'kubelet_volume_stats_capacity_bytes'],
  },
  'node-exporter': {
    source: 'prometheus/node_exporter collector/cpu_linux.go, collector/meminfo.go',
    metrics: ['node_cpu_seconds_total', 'node_memory_MemAvailable_bytes', 'node_memory_MemTotal_bytes'],
  },
  'cert-manager': {
    source: 'cert-manager pkg/controller/../metrics/certificates.go (controller /metrics)',
    metrics: [
      'certmanager_certificate_expiration_timestamp_seconds',
      'certmanager_certificate_renewal_timestamp_seconds',
      'certmanager_certificate_ready_status',
    ],
  },
  coredns: {
    source: 'coredns plugin/metrics/vars/vars.go (coredns_dns_responses_total{server,zone,view,rcode,plugin})',
    metrics: ['coredns_dns_responses_total'],
  },
  postgres_exporter: {
    source: 'prometheus-community/postgres_exporter cmd/postgres_exporter/postgres_exporter.go (pg_up)',
    metrics: ['pg_up'],
  },
  redis_exporter: {
    source: 'oliver006/redis_exporter exporter/exporter.go (redis_up)',
    metrics: ['redis_up'],
  },
  envoy: {
    source:
      'Envoy cluster stats (upstream_rq_total, upstream_rq_<N>xx) with the default tag extraction, /stats/prometheus: envoy_cluster_upstream_rq_xx{envoy_response_code_class}, envoy_cluster_upstream_rq_total{envoy_cluster_name}',
    metrics: ['envoy_cluster_upstream_rq_xx', 'envoy_cluster_upstream_rq_total'],
  },
  prometheus: {
    source: 'Prometheus itself: `up` per scrape target, `ALERTS` per active alert',
    metrics: ['up', 'ALERTS'],
  },
};

export const allExporterMetrics = (): Set<string> =>
  new Set(Object.values(exporterMetrics).flatMap((exporter) => exporter.metrics));
