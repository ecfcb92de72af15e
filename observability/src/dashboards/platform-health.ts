import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceVariable, stat, timeseries } from './panels.ts';

/** Certificates, pods, nodes, volumes and the data stores: what the platform alerts watch, as a picture. */
export function platformHealthDashboard() {
  return new DashboardBuilder('Homelab / Platform health')
    .uid('homelab-platform-health')
    .tags(['homelab', 'platform'])
    .refresh('1m')
    .time({ from: 'now-6h', to: 'now' })
    .withVariable(datasourceVariable())
    .withRow(new RowBuilder('Certificates'))
    .withPanel(
      stat(
        'Days until the next certificate expires',
        'd',
        [{ expr: 'min(certmanager_certificate_expiration_timestamp_seconds - time()) / 86400', legend: 'days' }],
        8,
      ),
    )
    .withPanel(
      stat(
        'Certificates not Ready',
        'none',
        [{ expr: 'sum(certmanager_certificate_ready_status{condition!="True"})', legend: 'not ready' }],
        8,
      ),
    )
    .withPanel(
      timeseries(
        'Hours until expiry, per certificate',
        'h',
        [
          {
            expr: '(certmanager_certificate_expiration_timestamp_seconds - time()) / 3600',
            legend: '{{namespace}}/{{name}}',
          },
        ],
        8,
      ),
    )
    .withRow(new RowBuilder('Nodes and pods'))
    .withPanel(
      stat(
        'Nodes Ready',
        'none',
        [{ expr: 'sum(kube_node_status_condition{condition="Ready",status="true"})', legend: 'ready' }],
        6,
      ),
    )
    .withPanel(
      stat(
        'Pods not Ready',
        'none',
        [{ expr: 'sum(kube_pod_status_ready{condition="false"})', legend: 'not ready' }],
        6,
      ),
    )
    .withPanel(
      stat(
        'Restarts in the last hour',
        'none',
        [{ expr: 'sum(increase(kube_pod_container_status_restarts_total[1h]))', legend: 'restarts' }],
        6,
      ),
    )
    .withPanel(stat('Scrape targets down', 'none', [{ expr: 'count(up == 0) or vector(0)', legend: 'down' }], 6))
    .withPanel(
      timeseries('Node CPU busy', 'percentunit', [
        {
          expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))',
          legend: '{{instance}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Node memory available', 'percentunit', [
        { expr: 'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', legend: '{{instance}}' },
      ]),
    )
    .withPanel(
      timeseries('Replicas against the HPA maximum', 'none', [
        { expr: 'kube_horizontalpodautoscaler_status_current_replicas', legend: '{{horizontalpodautoscaler}} current' },
        { expr: 'kube_horizontalpodautoscaler_spec_max_replicas', legend: '{{horizontalpodautoscaler}} max' },
      ]),
    )
    .withPanel(
      timeseries('Container restarts', 'none', [
        {
          expr: 'sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total[$__rate_interval]))',
          legend: '{{namespace}}/{{pod}}',
        },
      ]),
    )
    .withRow(new RowBuilder('Volumes and data stores'))
    .withPanel(
      timeseries('Volume used', 'percentunit', [
        {
          expr: '1 - kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes',
          legend: '{{namespace}}/{{persistentvolumeclaim}}',
        },
      ]),
    )
    .withPanel(
      timeseries('PostgreSQL and Redis up', 'none', [
        { expr: 'pg_up', legend: 'postgres {{instance}}' },
        { expr: 'redis_up', legend: 'redis {{instance}}' },
      ]),
    )
    .withPanel(
      timeseries('Cluster DNS answers by code', 'ops', [
        { expr: 'sum by (rcode) (rate(coredns_dns_responses_total[$__rate_interval]))', legend: '{{rcode}}' },
      ]),
    )
    .withPanel(
      timeseries('Envoy upstream 5xx ratio', 'percentunit', [
        {
          expr:
            'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5"}[$__rate_interval]))' +
            ' / sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total[$__rate_interval]))',
          legend: '{{envoy_cluster_name}}',
        },
      ]),
    );
}
