import type { MiddlewareHandler } from 'hono';
import type { RateLimiter } from './token-bucket.ts';

export interface RateLimitOptions {
  readonly limiter: RateLimiter;
  /** Builds the 429 response (problem+json from the service kit). */
  readonly tooManyRequests: (detail: string) => Response;
}

/**
 * Spends one token of the caller's bucket per request (keyed by the authenticated identity, so it runs after
 * `authenticate()`). Every answer carries the IETF RateLimit fields; a refusal is 429 with Retry-After.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { limiter, tooManyRequests } = options;
  const { capacity, refillPerSecond } = limiter.policy;
  // Computed once: the policy does not change at run time.
  const policyHeader = `${capacity};w=${Math.ceil(capacity / refillPerSecond)}`;
  const limitHeader = String(capacity);
  return async (c, next) => {
    const result = await limiter.take(c.get('identity'));
    const fields = {
      'RateLimit-Policy': policyHeader,
      'RateLimit-Limit': limitHeader,
      'RateLimit-Remaining': String(result.remaining),
      'RateLimit-Reset': String(result.resetSeconds),
    };
    if (!result.allowed) {
      const res = tooManyRequests(`rate limit of ${capacity} requests, refilled at ${refillPerSecond}/s, exceeded`);
      for (const [name, value] of Object.entries(fields)) res.headers.set(name, value);
      res.headers.set('Retry-After', String(result.retryAfterSeconds));
      return res;
    }
    c.set('rateLimitFields', fields);
    await next();
  };
}

declare module 'hono' {
  interface ContextVariableMap {
    /** RateLimit-* response fields; the proxy writes them on the upstream's answer. */
    rateLimitFields: Record<string, string>;
  }
}
