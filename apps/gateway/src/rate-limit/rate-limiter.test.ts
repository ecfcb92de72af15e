import { realServersRequired } from '@homelab/test-servers';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { createRedisRateLimiter } from './redis-rate-limiter.ts';
import { createMemoryRateLimiter } from './token-bucket.ts';

const policy = { capacity: 5, refillPerSecond: 2 };

describe('in-memory token bucket', () => {
  it('allows the burst, refuses the next, and refills at the configured rate', async () => {
    let now = 1_000_000;
    const limiter = createMemoryRateLimiter(policy, () => now);
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await limiter.take('alice'));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false]);
    expect(results[4]?.remaining).toBe(0);
    expect(results[5]?.retryAfterSeconds).toBe(1);
    expect(results[5]?.resetSeconds).toBe(3);
    expect((await limiter.take('bob')).allowed).toBe(true);
    now += 500;
    expect((await limiter.take('alice')).allowed).toBe(true);
    expect((await limiter.take('alice')).allowed).toBe(false);
  });
});

const redisUrl = inject('redisUrl');
describe.runIf(redisUrl || realServersRequired())('Redis token bucket', () => {
  it('is atomic across concurrent callers: exactly the capacity is allowed', async () => {
    const clients = [new Redis(redisUrl), new Redis(redisUrl)];
    try {
      const prefix = `test:${Math.random()}:`;
      const limiters = clients.map((c) =>
        createRedisRateLimiter(c, { capacity: 20, refillPerSecond: 0.001 }, { keyPrefix: prefix }),
      );
      const takes = await Promise.all(Array.from({ length: 60 }, (_, i) => limiters[i % 2]?.take('alice')));
      expect(takes.filter((t) => t?.allowed).length).toBe(20);
      const refused = takes.find((t) => !t?.allowed);
      expect(refused?.retryAfterSeconds).toBeGreaterThan(0);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it('falls back to the in-memory bucket when Redis is unreachable', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    let fallbacks = 0;
    const limiter = createRedisRateLimiter(dead, policy, { onFallback: () => fallbacks++ });
    const results = [];
    for (let i = 0; i < 6; i++) results.push((await limiter.take('alice')).allowed);
    expect(results).toEqual([true, true, true, true, true, false]);
    expect(fallbacks).toBe(6);
    dead.disconnect();
  });
});
