import { httpDurationBuckets } from '@homelab/platform';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerState } from './resilience/circuit-breaker.ts';

const breakerStateValue: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export interface GatewayMetrics {
  /** Counts one proxied attempt's outcome; `status` is the upstream's code or the gateway's (502/503/504). */
  observeUpstream(route: string, upstream: string, version: string, status: number, seconds: number): void;
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
  const labelNames = ['route', 'upstream', 'version', 'status'] as const;
  const requests = new Counter({
    name: 'gateway_upstream_requests_total',
    help: 'Proxied requests by route, upstream (stable/canary), upstream version and status',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Time from sending a request upstream to the end of its response',
    labelNames,
    buckets: [...httpDurationBuckets],
    registers: [registry],
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
  // One cached child per label combination: the hot path is then a Map lookup, not a label hash.
  const children = new Map<
    string,
    { count: Counter.Internal; time: Histogram.Internal<(typeof labelNames)[number]> }
  >();
  return {
    observeUpstream(route, upstream, version, status, seconds) {
      const key = `${route}\u0000${upstream}\u0000${version}\u0000${status}`;
      let child = children.get(key);
      if (!child) {
        const labels = [route, upstream, version, String(status)] as const;
        child = { count: requests.labels(...labels), time: duration.labels(...labels) };
        children.set(key, child);
      }
      child.count.inc();
      child.time.observe(seconds);
    },
    retry: (route, outcome) => retries.labels(route, outcome).inc(),
    rateLimited: () => limited.inc(),
    breakerState: (upstream, state) => breaker.labels(upstream).set(breakerStateValue[state]),
    weight: (route, upstream, version, weight) => weights.labels(route, upstream, version).set(weight),
  };
}
