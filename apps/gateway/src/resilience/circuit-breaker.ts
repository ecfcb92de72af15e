import { BrokenCircuitError, CircuitState, circuitBreaker, handleWhenResult, SamplingBreaker } from 'cockatiel';
import { createIdentityShare } from './identity-share.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Share of counted requests in the window that must fail to open it (0..1, exclusive). Default 0.5. */
  readonly failureRatio?: number;
  /** Rolling window the ratio is taken over. Default 10 000 ms. */
  readonly windowMs?: number;
  /** Counted requests the window must hold before it may open (low traffic never trips it). Default 20. */
  readonly minimumRequests?: number;
  /**
   * 5xx answers and timeouts one identity may contribute to the window; beyond that its failures are no verdict on
   * the upstream. With the defaults, opening on those needs at least four identities; an unreachable upstream
   * counts for everyone (ADR 0070). Default 3.
   */
  readonly maxFailuresPerIdentity?: number;
  /** Open time before a probe is let through; recovery follows the first successful probe. Default 500 ms. */
  readonly openMs?: number;
  readonly onStateChange?: (state: BreakerState) => void;
}

/**
 * How an attempt went, as far as the upstream's health is concerned. `failure` (a 5xx answer, a timeout) may be
 * caused by the request itself, so it counts within the identity's share; `unreachable` (no connection, or it
 * broke before an answer) says nothing about who asked and always counts; `none` is no verdict at all.
 */
export type Verdict = 'success' | 'failure' | 'unreachable' | 'none';

/** The breaker refused the attempt without touching the upstream. */
export interface BreakerOpen {
  readonly open: true;
  /** Whole seconds until the next probe may pass: the 503's Retry-After. */
  readonly retryAfterSeconds: number;
}

export interface CircuitBreaker {
  readonly state: BreakerState;
  /**
   * Runs one attempt under the breaker: its result, or `BreakerOpen` when the breaker is open. `verdict` says what
   * the result tells about the upstream; `none` (the client went away, the client's own body failed) is neither.
   */
  run<T>(identity: string, attempt: () => Promise<T>, verdict: (result: T) => Verdict): Promise<T | BreakerOpen>;
}

const states: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/** Carries a result past cockatiel without a verdict (its "unhandled error" path records nothing while closed). */
class NoVerdict<T> {
  readonly result: T;
  constructor(result: T) {
    this.result = result;
  }
}
/** A result cockatiel should count as a failure. */
class Counted<T> {
  readonly result: T;
  constructor(result: T) {
    this.result = result;
  }
}

/**
 * A circuit breaker per upstream on cockatiel's policy (the renovation's maintained resilience library): it opens
 * when more than `failureRatio` of the requests in a rolling window failed (connection errors, timeouts, 5xx),
 * once the window holds `minimumRequests`; a client's own 4xx is a success. While open it answers at once with
 * the time to the next probe; after `openMs` one probe passes (half-open) and its success closes the breaker. A
 * single identity cannot open it with failures its requests could cause: beyond `maxFailuresPerIdentity` in the
 * window its 5xx answers and timeouts are not counted (ADR 0070). Connection failures always count.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const windowMs = options.windowMs ?? 10_000;
  const openMs = options.openMs ?? 500;
  const minimumRequests = options.minimumRequests ?? 20;
  const share = createIdentityShare({ windowMs, maxFailures: options.maxFailuresPerIdentity ?? 3 });
  const policy = circuitBreaker(
    handleWhenResult((r) => r instanceof Counted),
    {
      halfOpenAfter: openMs,
      breaker: new SamplingBreaker({
        threshold: options.failureRatio ?? 0.5,
        duration: windowMs,
        minimumRps: (minimumRequests * 1000) / windowMs,
      }),
    },
  );
  let openedAt = 0;
  policy.onBreak(() => {
    openedAt = Date.now();
  });
  policy.onStateChange((state) => options.onStateChange?.(states[state]));
  const refusal = (): BreakerOpen => ({
    open: true,
    retryAfterSeconds: Math.max(1, Math.ceil((openedAt + openMs - Date.now()) / 1000)),
  });
  return {
    get state() {
      return states[policy.state];
    },
    async run(identity, attempt, verdict) {
      try {
        const outcome = await policy.execute(async () => {
          const result = await attempt();
          const v = verdict(result);
          if (v === 'none') throw new NoVerdict(result);
          if (v === 'success') return result;
          // One identity's failures beyond its share say more about its requests than about the upstream.
          if (v === 'failure' && !share.counts(identity)) throw new NoVerdict(result);
          return new Counted(result);
        });
        return outcome instanceof Counted
          ? (outcome.result as typeof outcome extends Counted<infer R> ? R : never)
          : outcome;
      } catch (error) {
        if (error instanceof NoVerdict) return error.result;
        if (error instanceof BrokenCircuitError) return refusal();
        throw error;
      }
    },
  };
}
