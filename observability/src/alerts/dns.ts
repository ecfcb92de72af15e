import { alertRule, type RuleGroup } from '../alert-rule.ts';

/** Cluster DNS. SERVFAIL is the failure signal; NXDOMAIN is normal (search-path expansion produces plenty). */
export function dnsAlerts(): RuleGroup {
  return {
    name: 'platform-dns',
    rules: [
      alertRule({
        name: 'CoreDNSErrorsHigh',
        component: 'coredns',
        expr: [
          'sum(rate(coredns_dns_responses_total{rcode="SERVFAIL"}[5m]))',
          '/',
          'sum(rate(coredns_dns_responses_total[5m]))',
          '> 0.03',
        ].join('\n'),
        for: '10m',
        severity: 'ticket',
        summary: 'CoreDNS answers more than 3 % of queries with SERVFAIL.',
        description:
          'For 10 minutes more than 3 % of cluster DNS answers were SERVFAIL: services fail to resolve the ' +
          'database, the cache or each other, and connection errors follow.',
      }),
    ],
  };
}
