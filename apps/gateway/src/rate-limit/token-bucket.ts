/** Token bucket parameters: `capacity` tokens at most (the burst), refilled at `refillPerSecond`. */
export interface TokenBucketPolicy {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

export interface TakeResult {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** Seconds until the bucket is full again (RateLimit-Reset). */
  readonly resetSeconds: number;
  /** Seconds until one token is available; 0 when allowed (Retry-After). */
  readonly retryAfterSeconds: number;
}

/**
 * A per-key token bucket limiter; `take` spends one token for `key` or refuses. It answers synchronously when it
 * can decide locally (the in-memory bucket, a leased token), so the hot path needs no promise.
 */
export interface RateLimiter {
  readonly policy: TokenBucketPolicy;
  take(key: string): TakeResult | Promise<TakeResult>;
  close?(): Promise<void>;
}

/** Turns the token count after a take into the header values, shared by both implementations. */
export function describeBucket(policy: TokenBucketPolicy, allowed: boolean, tokens: number): TakeResult {
  const { capacity, refillPerSecond } = policy;
  return {
    allowed,
    remaining: Math.max(0, Math.floor(tokens)),
    resetSeconds: Math.ceil((capacity - tokens) / refillPerSecond),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / refillPerSecond)),
  };
}

/**
 * The in-process bucket, for a single replica without Redis (the local platform) and as the fallback while
 * Redis is unreachable. Buckets refill lazily on access; idle full buckets are swept so memory stays bounded.
 */
export function createMemoryRateLimiter(policy: TokenBucketPolicy, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const fullAfterMs = (policy.capacity / policy.refillPerSecond) * 1000;
  let lastSweep = now();
  return {
    policy,
    take(key) {
      const t = now();
      if (t - lastSweep > fullAfterMs) {
        for (const [k, b] of buckets) if (t - b.at > fullAfterMs) buckets.delete(k);
        lastSweep = t;
      }
      const bucket = buckets.get(key) ?? { tokens: policy.capacity, at: t };
      bucket.tokens = Math.min(policy.capacity, bucket.tokens + ((t - bucket.at) / 1000) * policy.refillPerSecond);
      bucket.at = t;
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      buckets.set(key, bucket);
      return describeBucket(policy, allowed, bucket.tokens);
    },
  };
}
