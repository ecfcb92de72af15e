import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { apps } from '@homelab/platform';
import { serviceSelector } from '../service-selector.ts';
import { datasourceVariable, timeseries } from './panels.ts';

const byTrack = 'upstream, version';
const rate = (selector: string) => `rate(${selector}[$__rate_interval])`;

/**
 * Canary against stable, side by side. The gateway labels every proxied request with the upstream (stable or
 * canary) and its version; the API's own view joins its RED series with `build_info` by instance, which works
 * whatever label the scrape adds for the track.
 */
export function canaryDashboard() {
  const api = serviceSelector(apps.api.name);
  const withVersion = (expr: string) => `${expr} * on (instance) group_left (version) build_info{${api}}`;
  return new DashboardBuilder('Homelab / Canary vs stable')
    .uid('homelab-canary')
    .tags(['homelab', 'canary'])
    .refresh('10s')
    .time({ from: 'now-30m', to: 'now' })
    .withVariable(datasourceVariable())
    .withRow(new RowBuilder('At the gateway'))
    .withPanel(
      timeseries('Traffic by upstream', 'reqps', [
        {
          expr: `sum by (${byTrack}) (${rate('gateway_upstream_requests_total')})`,
          legend: '{{upstream}} {{version}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Configured weight', 'percent', [
        { expr: 'gateway_upstream_weight', legend: '{{route}} {{upstream}} {{version}}' },
      ]),
    )
    .withPanel(
      timeseries('Server errors by upstream', 'percentunit', [
        {
          expr:
            `sum by (${byTrack}) (${rate('gateway_upstream_requests_total{status=~"5.."}')})` +
            ` / sum by (${byTrack}) (${rate('gateway_upstream_requests_total')})`,
          legend: '{{upstream}} {{version}}',
        },
      ]),
    )
    .withPanel(
      timeseries('p99 latency by upstream', 's', [
        {
          expr: `histogram_quantile(0.99, sum by (${byTrack}, le) (${rate('gateway_upstream_request_duration_seconds_bucket')}))`,
          legend: '{{upstream}} {{version}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Circuit breakers (0 closed, 1 half-open, 2 open)', 'none', [
        { expr: 'gateway_circuit_breaker_state', legend: '{{upstream}}' },
      ]),
    )
    .withPanel(
      timeseries('Retries', 'ops', [
        { expr: `sum by (outcome) (${rate('gateway_retries_total')})`, legend: '{{outcome}}' },
      ]),
    )
    .withRow(new RowBuilder('At the API, by build'))
    .withPanel(
      timeseries('API server errors by version', 'percentunit', [
        {
          expr:
            `sum by (version) (${withVersion(`sum by (instance) (${rate(`http_requests_total{${api},status=~"5.."}`)})`)})` +
            ` / sum by (version) (${withVersion(`sum by (instance) (${rate(`http_requests_total{${api}}`)})`)})`,
          legend: '{{version}}',
        },
      ]),
    )
    .withPanel(
      timeseries('API p99 latency by version', 's', [
        {
          expr: `histogram_quantile(0.99, sum by (version, le) (${withVersion(`sum by (instance, le) (${rate(`http_request_duration_seconds_bucket{${api}}`)})`)}))`,
          legend: '{{version}}',
        },
      ]),
    );
}
