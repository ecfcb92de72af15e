import { http } from '@homelab/platform';
import { Pool } from 'undici';
import {
  type BreakerState,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  createCircuitBreaker,
} from '../resilience/circuit-breaker.ts';
import type { UpstreamSpec } from './weighted-upstreams.ts';

/** One upstream with its connection pool and its own circuit breaker. */
export interface Upstream {
  readonly spec: UpstreamSpec;
  readonly pool: Pool;
  readonly breaker: CircuitBreaker;
}

export interface UpstreamOptions {
  /** Keep-alive connections per upstream. Default 64. */
  readonly connections?: number;
  readonly breaker?: Omit<CircuitBreakerOptions, 'onStateChange'>;
  readonly onBreakerState?: (spec: UpstreamSpec, state: BreakerState) => void;
}

/**
 * Keep-alive connections are the biggest single saving on the hot path: no TCP handshake per request. The idle
 * timeout is `http.keepAlive.proxyIdleTimeoutSeconds`, below the API's `keepAliveTimeout`, so the gateway never
 * reuses a socket the API is about to close (that race shows up as sporadic 502s).
 */
export function createUpstream(spec: UpstreamSpec, options: UpstreamOptions = {}): Upstream {
  const idleMs = http.keepAlive.proxyIdleTimeoutSeconds * 1000;
  const pool = new Pool(new URL(spec.url).origin, {
    connections: options.connections ?? 64,
    keepAliveTimeout: idleMs,
    keepAliveMaxTimeout: idleMs,
    pipelining: 1,
  });
  const breaker = createCircuitBreaker({
    ...options.breaker,
    onStateChange: (state) => options.onBreakerState?.(spec, state),
  });
  return { spec, pool, breaker };
}
