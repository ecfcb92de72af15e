import { alertRule, type RuleGroup } from '../alert-rule.ts';

/**
 * The data stores, seen through their exporters. PostgreSQL down pages: every notes request needs it. Redis is a
 * read cache the API falls back from, so its loss costs latency, not errors, and is a ticket.
 */
export function dataStoreAlerts(): RuleGroup {
  return {
    name: 'platform-data-stores',
    rules: [
      alertRule({
        name: 'PostgresDown',
        component: 'postgres',
        expr: 'pg_up == 0',
        for: '1m',
        severity: 'page',
        summary: 'PostgreSQL {{ $labels.namespace }}/{{ $labels.instance }} is down.',
        description:
          'postgres_exporter cannot connect to PostgreSQL for a minute. The notes API cannot read or write and ' +
          'its readiness fails.',
      }),
      alertRule({
        name: 'RedisDown',
        component: 'redis',
        expr: 'redis_up == 0',
        for: '5m',
        severity: 'ticket',
        summary: 'Redis {{ $labels.namespace }}/{{ $labels.instance }} is down.',
        description:
          'redis_exporter cannot reach Redis for 5 minutes. The API serves every read from PostgreSQL: slower, ' +
          'and cache_errors_total rises.',
      }),
    ],
  };
}
