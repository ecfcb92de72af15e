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
 * with Retry-After.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { limiter, onLimited } = options;
  const { capacity, refillPerSecond } = limiter.policy;
  // Computed once: the policy does not change at run time.
  const policyHeader = `${capacity};w=${Math.ceil(capacity / refillPerSecond)}`;
  const limitHeader = String(capacity);
  return async (c, next) => {
    const result = await limiter.take(c.get('identity'));
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
    await next();
  };
}

declare module 'hono' {
  interface ContextVariableMap {
    /** RateLimit-* fields of this request, set by `rateLimit()`. */
    rateLimitFields: Record<string, string>;
  }
}
