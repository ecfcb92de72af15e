import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { jobMatcher } from '../service-selector.ts';
import { datasourceVariable, serviceVariable, stat, timeseries } from './panels.ts';

const job = jobMatcher('$service');
const rate = (selector: string) => `rate(${selector}[$__rate_interval])`;

/** Rate, errors, duration of one service (picked by `$service`), plus the Node process saturating under it. */
export function serviceRedDashboard() {
  const quantile = (q: number) => ({
    expr: `histogram_quantile(${q}, sum by (le) (${rate(`http_request_duration_seconds_bucket{${job}}`)}))`,
    legend: `p${q * 100}`,
  });
  return new DashboardBuilder('Homelab / Service RED')
    .uid('homelab-service-red')
    .tags(['homelab', 'red'])
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .withVariable(datasourceVariable())
    .withVariable(serviceVariable())
    .withRow(new RowBuilder('Requests'))
    .withPanel(
      stat('Requests per second', 'reqps', [{ expr: `sum(${rate(`http_requests_total{${job}}`)})`, legend: 'req/s' }]),
    )
    .withPanel(
      stat('Server errors', 'percentunit', [
        {
          expr: `sum(${rate(`http_requests_total{${job},status=~"5.."}`)}) / sum(${rate(`http_requests_total{${job}}`)})`,
          legend: '5xx',
        },
      ]),
    )
    .withPanel(stat('In flight', 'none', [{ expr: `sum(http_requests_in_flight{${job}})`, legend: 'in flight' }]))
    .withPanel(stat('Instances up', 'none', [{ expr: `sum(up{${job}})`, legend: 'up' }]))
    .withPanel(
      timeseries('Rate by route and status', 'reqps', [
        { expr: `sum by (route, status) (${rate(`http_requests_total{${job}}`)})`, legend: '{{route}} {{status}}' },
      ]),
    )
    .withPanel(
      timeseries('Error ratio by route', 'percentunit', [
        {
          expr:
            `sum by (route) (${rate(`http_requests_total{${job},status=~"5.."}`)})` +
            ` / sum by (route) (${rate(`http_requests_total{${job}}`)})`,
          legend: '{{route}}',
        },
      ]),
    )
    .withPanel(timeseries('Latency', 's', [quantile(0.5), quantile(0.95), quantile(0.99)]))
    .withPanel(
      timeseries('p99 latency by route', 's', [
        {
          expr: `histogram_quantile(0.99, sum by (route, le) (${rate(`http_request_duration_seconds_bucket{${job}}`)}))`,
          legend: '{{route}}',
        },
      ]),
    )
    .withRow(new RowBuilder('Process'))
    .withPanel(
      timeseries(
        'CPU',
        'percentunit',
        [{ expr: `sum by (instance) (${rate(`process_cpu_seconds_total{${job}}`)})`, legend: '{{instance}}' }],
        8,
      ),
    )
    .withPanel(
      timeseries(
        'Resident memory',
        'bytes',
        [{ expr: `process_resident_memory_bytes{${job}}`, legend: '{{instance}}' }],
        8,
      ),
    )
    .withPanel(
      timeseries(
        'Event loop lag p99',
        's',
        [{ expr: `nodejs_eventloop_lag_p99_seconds{${job}}`, legend: '{{instance}}' }],
        8,
      ),
    )
    .withPanel(
      timeseries('Cache errors (api)', 'ops', [
        { expr: `sum by (operation) (${rate(`cache_errors_total{${job}}`)})`, legend: '{{operation}}' },
      ]),
    );
}
