import { problem } from '@homelab/service-kit';
import type { Context } from 'hono';
import type { RateLimiter, TakeResult } from './token-bucket.ts';

export interface RateLimitOptions {
  readonly limiter: RateLimiter;
  /** Called on every refusal (metrics). */
  readonly onLimited?: () => void;
}

/**
 * Spends one token of the caller's bucket per request, keyed by the authenticated identity. Every answer carries
 * the RateLimit fields of the IETF draft; a refusal is a 429 problem with Retry-After. Returns the refusal, or
 * undefined when the request may go on; synchronously when the limiter answers synchronously (a leased token),
 * so the hot path allocates no promise.
 */
export function admitRequest(
  options: RateLimitOptions,
): (c: Context, identity: string) => Response | undefined | Promise<Response | undefined> {
  const { limiter, onLimited } = options;
  const { capacity, refillPerSecond } = limiter.policy;
  // Computed once: the policy does not change at run time.
  const policyHeader = `${capacity};w=${Math.ceil(capacity / refillPerSecond)}`;
  const limitHeader = String(capacity);
  const decide = (c: Context, result: TakeResult): Response | undefined => {
    const fields = {
      'ratelimit-policy': policyHeader,
      'ratelimit-limit': limitHeader,
      'ratelimit-remaining': String(result.remaining),
      'ratelimit-reset': String(result.resetSeconds),
    };
    if (!result.allowed) {
      onLimited?.();
      for (const [name, value] of Object.entries(fields)) c.header(name, value);
      c.header('retry-after', String(result.retryAfterSeconds));
      return problem(
        c,
        429,
        'Too Many Requests',
        `at most ${capacity} requests in a burst, refilled at ${refillPerSecond} per second; retry after ${result.retryAfterSeconds} s`,
      );
    }
    // Left on the context, not as headers: the proxy writes them on the upstream's answer (ADR 0020).
    c.set('rateLimitFields', fields);
    return undefined;
  };
  return (c, identity) => {
    const result = limiter.take(identity);
    return result instanceof Promise ? result.then((r) => decide(c, r)) : decide(c, result);
  };
}

declare module 'hono' {
  interface ContextVariableMap {
    /** RateLimit-* fields of this request, set by `admitRequest`. */
    rateLimitFields: Record<string, string>;
  }
}
