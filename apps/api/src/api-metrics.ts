import type { ServiceMetrics } from '@homelab/service-kit';
import { Counter } from 'prom-client';

/** The API's own series, on the app's registry next to the RED metrics. */
export function createApiMetrics(metrics: ServiceMetrics) {
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
    }),
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
