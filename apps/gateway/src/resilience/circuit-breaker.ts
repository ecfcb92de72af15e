export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  readonly failureThreshold?: number;
  /** How long it stays open before letting a probe through. Default 5000 ms. */
  readonly openMs?: number;
  /** Probes allowed at once while half-open. Default 1. */
  readonly halfOpenProbes?: number;
  readonly now?: () => number;
  readonly onStateChange?: (state: BreakerState) => void;
}

export interface CircuitBreaker {
  readonly state: BreakerState;
  /** True when a request may go to the upstream; false means answer 503 at once. */
  tryAcquire(): boolean;
  /** The outcome of a request that `tryAcquire` let through. */
  record(success: boolean): void;
  /** A request that ended without a verdict on the upstream (the client went away): frees its probe slot. */
  release(): void;
}

/**
 * A consecutive-failure circuit breaker per upstream. Open: every request is refused without touching the
 * upstream, so a dead API costs callers microseconds, not a timeout each. After `openMs` it lets a limited
 * number of probes through (half-open): one success closes it, one failure opens it again.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const failureThreshold = options.failureThreshold ?? 5;
  const openMs = options.openMs ?? 5_000;
  const halfOpenProbes = options.halfOpenProbes ?? 1;
  const now = options.now ?? Date.now;
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probesInFlight = 0;
  const moveTo = (next: BreakerState) => {
    if (next === state) return;
    state = next;
    options.onStateChange?.(next);
  };
  return {
    get state() {
      return state;
    },
    tryAcquire() {
      if (state === 'closed') return true;
      if (state === 'open') {
        if (now() - openedAt < openMs) return false;
        moveTo('half-open');
        probesInFlight = 0;
      }
      if (probesInFlight >= halfOpenProbes) return false;
      probesInFlight += 1;
      return true;
    },
    release() {
      if (state === 'half-open') probesInFlight = Math.max(0, probesInFlight - 1);
    },
    record(success) {
      if (state === 'half-open') probesInFlight = Math.max(0, probesInFlight - 1);
      if (success) {
        failures = 0;
        moveTo('closed');
        return;
      }
      failures += 1;
      if (state === 'half-open' || failures >= failureThreshold) {
        openedAt = now();
        moveTo('open');
      }
    },
  };
}
