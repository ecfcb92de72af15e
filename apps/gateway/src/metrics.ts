import { httpDurationBuckets } from '@homelab/platform';
import { createCountedHistogram, type TimingSeries } from '@homelab/service-kit';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BreakerState } from './resilience/circuit-breaker.ts';
import type { Upstream } from './upstreams/upstream.ts';
import type { WeightedUpstreams } from './upstreams/weighted-upstreams.ts';

const breakerStateValue: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Counts one proxied attempt's outcome; `status` is the upstream's code or the gateway's (499/502/503/504). */
export type UpstreamRecorder = (status: number, seconds: number) => void;

export interface GatewayMetrics {
  /** The recorder of one route's upstream: labels bound once, at start-up, not per request. */
  upstream(route: string, upstream: string, version: string): UpstreamRecorder;
  retry(route: string, outcome: 'attempted' | 'budget_exhausted'): void;
  rateLimited(): void;
  breakerState(upstream: string, state: BreakerState): void;
  weight(route: string, upstream: string, version: string, weight: number): void;
}

/**
 * The gateway's own series beside the kit's RED metrics: which upstream and version answered (what the canary
 * gate compares), retries, limiter refusals, breaker states and the current weights.
 */
export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  // The kit's counted histogram, not prom-client's Counter and Histogram: their children re-validate and re-hash
  // labels on every observation, once per proxied request here.
  const upstreamTimings = createCountedHistogram({
    registry,
    counter: {
      name: 'gateway_upstream_requests_total',
      help: 'Proxied requests by route, upstream (stable/canary), upstream version and status',
    },
    histogram: {
      name: 'gateway_upstream_request_duration_seconds',
      help: 'Time from sending a request upstream to the end of its response',
    },
    labelNames: ['route', 'upstream', 'version', 'status'],
    buckets: httpDurationBuckets,
  });
  const retries = new Counter({
    name: 'gateway_retries_total',
    help: 'Retries of idempotent requests, and those the retry budget refused',
    labelNames: ['route', 'outcome'] as const,
    registers: [registry],
  });
  const limited = new Counter({
    name: 'gateway_rate_limited_total',
    help: 'Requests refused with 429 by the per-identity token bucket',
    registers: [registry],
  });
  const breaker = new Gauge({
    name: 'gateway_circuit_breaker_state',
    help: 'Circuit breaker per upstream: 0 closed, 1 half-open, 2 open',
    labelNames: ['upstream'] as const,
    registers: [registry],
  });
  const weights = new Gauge({
    name: 'gateway_upstream_weight',
    help: 'Current traffic weight of each upstream of a route',
    labelNames: ['route', 'upstream', 'version'] as const,
    registers: [registry],
  });
  return {
    upstream(route, upstream, version) {
      // Series by status code, created on first use: the hot path is an array index.
      const byStatus: (TimingSeries | undefined)[] = [];
      return (status, seconds) => {
        let series = byStatus[status];
        if (series === undefined) {
          series = upstreamTimings.series(route, upstream, version, String(status));
          byStatus[status] = series;
        }
        series.observe(seconds);
      };
    },
    retry: (route, outcome) => retries.labels(route, outcome).inc(),
    rateLimited: () => limited.inc(),
    breakerState: (upstream, state) => breaker.labels(upstream).set(breakerStateValue[state]),
    weight: (route, upstream, version, weight) => weights.labels(route, upstream, version).set(weight),
  };
}

/** Sets the weight gauge of every upstream of a route to its current weight (at start and after a change). */
export function publishWeights(metrics: GatewayMetrics, route: string, group: WeightedUpstreams<Upstream>): void {
  const weights = group.weights();
  for (const u of group.all) metrics.weight(route, u.spec.name, u.spec.version, weights[u.spec.name] ?? 0);
}
