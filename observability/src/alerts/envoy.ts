import { alertRule, type RuleGroup } from '../alert-rule.ts';

/** The edge: Envoy Gateway's proxies, per upstream cluster (one per routed backend). */
export function envoyAlerts(): RuleGroup {
  return {
    name: 'platform-edge',
    rules: [
      alertRule({
        name: 'EnvoyUpstreamErrorsHigh',
        component: 'envoy',
        expr: [
          'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5"}[5m]))',
          '/',
          'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total[5m]))',
          '> 0.05',
        ].join('\n'),
        for: '5m',
        severity: 'ticket',
        summary: 'Envoy sees more than 5 % upstream 5xx for {{ $labels.envoy_cluster_name }}.',
        description:
          'For 5 minutes more than 5 % of the requests Envoy forwarded to this upstream answered 5xx (including ' +
          "Envoy's own 503 when no healthy endpoint is left).",
      }),
    ],
  };
}
