import { problem } from '@homelab/service-kit';
import type { MiddlewareHandler } from 'hono';
import type { RateLimiter } from './token-bucket.ts';

export interface RateLimitOptions {
  readonly limiter: RateLimiter;
  /** Called on every refusal (metrics). */
  readonly onLimited?: () => void;
}

/**
 * Spends one token of the caller's bucket per request, keyed by the authenticated identity (so it runs after
 * `authenticate()`). Every answer carries the RateLimit fields of the IETF draft; a refusal is a 429 problem
 * with Retry-After. The fields are set on the context so the proxy copies them onto the upstream's answer.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { limiter, onLimited } = options;
  const { capacity, refillPerSecond } = limiter.policy;
  // Computed once: the policy does not change at run time.
  const policyHeader = `${capacity};w=${Math.ceil(capacity / refillPerSecond)}`;
  const limitHeader = String(capacity);
  return async (c, next) => {
    const result = await limiter.take(c.get('identity'));
    c.header('ratelimit-policy', policyHeader);
    c.header('ratelimit-limit', limitHeader);
    c.header('ratelimit-remaining', String(result.remaining));
    c.header('ratelimit-reset', String(result.resetSeconds));
    if (!result.allowed) {
      onLimited?.();
      c.header('retry-after', String(result.retryAfterSeconds));
      return problem(
        c,
        429,
        'Too Many Requests',
        `at most ${capacity} requests in a burst, refilled at ${refillPerSecond} per second; retry after ${result.retryAfterSeconds} s`,
      );
    }
    await next();
  };
}
