import type { Redis } from 'ioredis';
import { createMemoryRateLimiter, describeBucket, type RateLimiter, type TokenBucketPolicy } from './token-bucket.ts';

/**
 * Refill and take in one script, so concurrent gateway replicas never both spend the last token (Redis runs a
 * script atomically). The clock is Redis' own TIME, so replicas with skewed clocks still agree. The token count
 * is returned as a string because Redis truncates Lua numbers to integers.
 */
const takeScript = `
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2]) / 1000
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil then tokens = capacity; at = now end
tokens = math.min(capacity, tokens + math.max(0, now - at) * perMs)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / perMs) + 1000)
return { allowed, tostring(tokens) }
`;

interface WithTakeCommand {
  homelabTakeToken(key: string, capacity: number, refillPerSecond: number): Promise<[number, string]>;
}

export interface RedisRateLimiterOptions {
  readonly keyPrefix?: string;
  /** Called when Redis fails and the in-memory bucket answers instead. */
  readonly onFallback?: (error: unknown) => void;
}

/**
 * The shared limiter. While Redis is unreachable each replica falls back to its own in-memory bucket: limits
 * are then per replica (looser by the replica count) instead of failing every request or none.
 */
export function createRedisRateLimiter(
  redis: Redis,
  policy: TokenBucketPolicy,
  options: RedisRateLimiterOptions = {},
): RateLimiter {
  const prefix = options.keyPrefix ?? 'gateway:bucket:';
  redis.defineCommand('homelabTakeToken', { numberOfKeys: 1, lua: takeScript });
  const command = redis as unknown as WithTakeCommand;
  const fallback = createMemoryRateLimiter(policy);
  return {
    policy,
    async take(key) {
      try {
        const [allowed, tokens] = await command.homelabTakeToken(prefix + key, policy.capacity, policy.refillPerSecond);
        return describeBucket(policy, allowed === 1, Number(tokens));
      } catch (error) {
        options.onFallback?.(error);
        return fallback.take(key);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
