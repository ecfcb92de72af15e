import type { ServiceMetrics } from '@homelab/service-kit';
import { Counter } from 'prom-client';

/** The API's own series, on the app's registry next to the RED metrics. */
export function createApiMetrics(metrics: ServiceMetrics) {
  // Hits and misses are counted on the hottest path: plain numbers, handed to prom-client at scrape time.
  const lookups = { hit: 0, miss: 0 };
  const exported = { hit: 0, miss: 0 };
  return {
    cacheErrors: new Counter({
      name: 'cache_errors_total',
      help: 'Cache calls that failed and were answered from PostgreSQL instead, by operation',
      labelNames: ['operation'] as const,
      registers: [metrics.registry],
    }),
    cacheLookups: new Counter({
      name: 'cache_lookups_total',
      help: 'Note reads by id, by cache result (hit or miss)',
      labelNames: ['result'] as const,
      registers: [metrics.registry],
      collect() {
        for (const result of ['hit', 'miss'] as const) {
          this.labels(result).inc(lookups[result] - exported[result]);
          exported[result] = lookups[result];
        }
      },
    }),
    cacheHit: () => {
      lookups.hit++;
    },
    cacheMiss: () => {
      lookups.miss++;
    },
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
