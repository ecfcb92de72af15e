import type { Redis } from 'ioredis';
import { createMemoryRateLimiter, describeBucket, type RateLimiter, type TokenBucketPolicy } from './token-bucket.ts';

/**
 * The shared bucket, in one script so concurrent replicas never lease the same token (Redis runs a script
 * atomically): refill by the time elapsed, add back the tokens a replica returns (`returned`, capped at the
 * capacity), then grant up to `want` whole tokens. The clock is Redis' own TIME, so replicas with skewed clocks
 * still agree. The token count is returned as a string because Redis truncates Lua numbers to integers.
 */
const leaseScript = `
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2]) / 1000
local want = tonumber(ARGV[3])
local returned = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil then tokens = capacity; at = now end
tokens = math.min(capacity, tokens + math.max(0, now - at) * perMs + returned)
local granted = math.min(want, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / perMs) + 1000)
return { granted, tostring(tokens) }
`;

interface WithLeaseCommand {
  homelabLeaseTokens(
    key: string,
    capacity: number,
    refillPerSecond: number,
    want: number,
    returned: number,
  ): Promise<[number, string]>;
}

export interface RedisRateLimiterOptions {
  readonly keyPrefix?: string;
  /**
   * Tokens a replica leases per identity in one round trip. Default: a tenth of the capacity, between 1 and
   * 1,000. Larger leases mean fewer round trips and a looser limit (see `createRedisRateLimiter`).
   */
  readonly leaseTokens?: number;
  /** Unspent leased tokens go back to Redis after this long. Default 1,000 ms. */
  readonly leaseMs?: number;
  readonly now?: () => number;
  /** Called when Redis fails and the in-memory bucket answers instead. */
  readonly onFallback?: (error: unknown) => void;
}

/** One identity's lease on this replica. */
interface Lease {
  /** Leased whole tokens not spent yet. */
  tokens: number;
  /** Local clock: after this the unspent tokens are returned with the next round trip. */
  expiresAt: number;
  /** What Redis had left after the last round trip, and when (for RateLimit-Remaining and Retry-After). */
  globalTokens: number;
  syncedAt: number;
  /** Redis had no whole token left: refuse here, without a round trip, until one can have refilled. */
  emptyUntil: number;
  /** The round trip in flight, which concurrent requests of the identity share. */
  pending: Promise<void> | undefined;
}

/**
 * The shared limiter, with Redis off the per-request path: each replica leases a batch of tokens per identity
 * from the bucket in Redis and spends them locally; when half a lease is spent it tops the lease up in the
 * background, so a steady caller never waits for Redis. A request waits for a round trip only for an identity's
 * first request, or when its lease ran dry faster than a top-up could come back.
 *
 * Semantics (ADR 0026): a token is spent at most once across replicas, because it is leased in Redis before any
 * replica spends it; the long-run rate therefore never exceeds the refill rate. Two approximations, both bounded
 * by the lease size L per replica and identity: leased tokens are spent up to `leaseMs` after Redis counted them,
 * so a window can see up to R x L requests above the bucket's burst (R replicas); and tokens one replica holds are
 * not available to another until spent or returned (a caller may see a 429 while up to (R - 1) x L tokens sit in
 * other replicas' leases, for at most twice `leaseMs`). Unspent tokens are returned on expiry and on
 * close. While Redis is unreachable each replica falls back to its own in-memory bucket: limits are then per
 * replica (looser by the replica count) instead of failing every request or none.
 */
export function createRedisRateLimiter(
  redis: Redis,
  policy: TokenBucketPolicy,
  options: RedisRateLimiterOptions = {},
): RateLimiter {
  const prefix = options.keyPrefix ?? 'gateway:bucket:';
  const { capacity, refillPerSecond } = policy;
  const leaseTokens = Math.max(1, Math.floor(options.leaseTokens ?? Math.min(1_000, capacity / 10)));
  const topUpBelow = Math.ceil(leaseTokens / 2);
  const leaseMs = options.leaseMs ?? 1_000;
  const now = options.now ?? Date.now;
  const perMs = refillPerSecond / 1000;
  redis.defineCommand('homelabLeaseTokens', { numberOfKeys: 1, lua: leaseScript });
  const command = redis as unknown as WithLeaseCommand;
  const fallback = createMemoryRateLimiter(policy, now);
  const leases = new Map<string, Lease>();

  /** One round trip: returns expired tokens, tops the lease up to `leaseTokens`. */
  const renew = (key: string, lease: Lease): Promise<void> => {
    const t = now();
    let returned = 0;
    if (t >= lease.expiresAt) {
      returned = lease.tokens;
      lease.tokens = 0;
    }
    const want = leaseTokens - lease.tokens;
    const call = command
      .homelabLeaseTokens(prefix + key, capacity, refillPerSecond, want, returned)
      .then(([granted, left]) => {
        const global = Number(left);
        const at = now();
        lease.tokens += granted;
        lease.expiresAt = at + leaseMs;
        lease.globalTokens = global;
        lease.syncedAt = at;
        lease.emptyUntil = granted < want && global < 1 ? at + (1 - global) / perMs : 0;
      })
      .finally(() => {
        lease.pending = undefined;
      });
    lease.pending = call;
    return call;
  };

  const result = (lease: Lease, allowed: boolean, t: number) =>
    describeBucket(
      policy,
      allowed,
      allowed
        ? lease.tokens + lease.globalTokens
        : Math.min(capacity, lease.globalTokens + (t - lease.syncedAt) * perMs),
    );

  const giveBack = (key: string, lease: Lease) =>
    lease.tokens > 0
      ? command.homelabLeaseTokens(prefix + key, capacity, refillPerSecond, 0, lease.tokens).then(() => undefined)
      : Promise.resolve();

  /**
   * Leases idle past their expiry give their tokens back and are forgotten, so memory stays bounded and other
   * replicas get the tokens even when this one receives no more requests. A timer, not a check on each take.
   */
  const sweep = () => {
    const t = now();
    for (const [key, lease] of leases) {
      if (t < lease.expiresAt || lease.pending || t < lease.emptyUntil) continue;
      leases.delete(key);
      // Best effort: a token lost to a failed return is an under-admission, never an over-admission.
      void giveBack(key, lease).catch(() => undefined);
    }
  };
  const sweeper = setInterval(sweep, leaseMs);
  sweeper.unref();

  const spendAfterRoundTrip = async (key: string, lease: Lease): Promise<boolean> => {
    // More waiters than a lease holds: lease again. Each round trip either grants a whole lease (progress) or
    // finds the bucket short, which marks it empty and ends the loop.
    for (;;) {
      await (lease.pending ?? renew(key, lease));
      if (lease.tokens >= 1) {
        lease.tokens -= 1;
        return true;
      }
      if (lease.emptyUntil !== 0) return false;
    }
  };

  return {
    policy,
    take(key) {
      const t = now();
      let lease = leases.get(key);
      if (lease === undefined) {
        lease = { tokens: 0, expiresAt: 0, globalTokens: capacity, syncedAt: t, emptyUntil: 0, pending: undefined };
        leases.set(key, lease);
      }
      if (lease.tokens >= 1 && t < lease.expiresAt) {
        lease.tokens -= 1;
        // Top up in the background; a failure surfaces (and falls back) on the request that finds the lease dry.
        if (lease.tokens < topUpBelow && lease.pending === undefined) void renew(key, lease).catch(() => undefined);
        return result(lease, true, t);
      }
      if (t < lease.emptyUntil) return result(lease, false, t);
      return spendAfterRoundTrip(key, lease).then(
        (allowed) => result(lease, allowed, now()),
        (error: unknown) => {
          options.onFallback?.(error);
          return fallback.take(key);
        },
      );
    },
    async close() {
      clearInterval(sweeper);
      const all = [...leases].map(([key, lease]) => giveBack(key, lease).catch(() => undefined));
      leases.clear();
      await Promise.all(all);
      redis.disconnect();
    },
  };
}
