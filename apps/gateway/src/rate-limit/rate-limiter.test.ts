import { realServersRequired } from '@homelab/test-servers';
import { Redis } from 'ioredis';
import { describe, expect, inject, it, vi } from 'vitest';
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
describe.runIf(redisUrl || realServersRequired())('Redis token bucket with local leases', () => {
  const tokensInRedis = async (client: Redis, key: string) => Number(await client.hget(key, 'tokens'));
  /** The lease round trips a limiter made (the limiter looks its command up on the client per call). */
  const countRoundTrips = (client: Redis) =>
    vi.spyOn(client as unknown as { homelabLeaseTokens: () => Promise<unknown> }, 'homelabLeaseTokens');
  const eventually = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 5));
  };

  it('never admits more than the capacity across replicas, and every token is usable', async () => {
    const clients = [new Redis(redisUrl), new Redis(redisUrl)];
    try {
      const prefix = `test:${Math.random()}:`;
      // A lease size that does not divide the capacity: the last lease is a partial one.
      const limiters = clients.map((c) =>
        createRedisRateLimiter(c, { capacity: 20, refillPerSecond: 0.001 }, { keyPrefix: prefix, leaseTokens: 3 }),
      );
      const takes = await Promise.all(Array.from({ length: 60 }, (_, i) => limiters[i % 2]?.take('alice')));
      expect(takes.filter((t) => t?.allowed).length).toBe(20);
      const refused = takes.find((t) => !t?.allowed);
      expect(refused?.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused?.remaining).toBe(0);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it('spends a lease locally and tops it up in the background once half of it is spent', async () => {
    const client = new Redis(redisUrl);
    try {
      const prefix = `test:${Math.random()}:`;
      const limiter = createRedisRateLimiter(
        client,
        { capacity: 100, refillPerSecond: 0.001 },
        { keyPrefix: prefix, leaseTokens: 10 },
      );
      const roundTrips = countRoundTrips(client);
      expect((await limiter.take('alice')).allowed).toBe(true);
      expect(roundTrips).toHaveBeenCalledTimes(1);
      expect(await tokensInRedis(client, `${prefix}alice`)).toBeCloseTo(90, 1);
      for (let i = 0; i < 4; i++) expect((await limiter.take('alice')).allowed).toBe(true);
      // Five spent, five left in the lease: Redis was not asked again.
      expect(roundTrips).toHaveBeenCalledTimes(1);
      expect(await tokensInRedis(client, `${prefix}alice`)).toBeCloseTo(90, 1);
      const sixth = await limiter.take('alice');
      expect(sixth.allowed).toBe(true);
      expect(roundTrips).toHaveBeenCalledTimes(2);
      // Topped up to a whole lease again: 6 more leased.
      await eventually(async () => (await tokensInRedis(client, `${prefix}alice`)) < 85);
      expect(await tokensInRedis(client, `${prefix}alice`)).toBeCloseTo(84, 1);
      expect(sixth.remaining).toBeGreaterThanOrEqual(90);
    } finally {
      client.disconnect();
    }
  });

  it('returns unspent tokens when a lease expires and on close', async () => {
    const client = new Redis(redisUrl);
    const prefix = `test:${Math.random()}:`;
    let now = 1_000_000;
    const limiter = createRedisRateLimiter(
      client,
      { capacity: 20, refillPerSecond: 0.001 },
      { keyPrefix: prefix, leaseTokens: 5, leaseMs: 1_000, now: () => now },
    );
    expect((await limiter.take('alice')).allowed).toBe(true);
    expect(await tokensInRedis(client, `${prefix}alice`)).toBeCloseTo(15, 1);
    now += 1_001;
    // The expired lease's 4 tokens go back in the same round trip that leases 5 new ones: 15 + 4 - 5.
    expect((await limiter.take('alice')).allowed).toBe(true);
    expect(await tokensInRedis(client, `${prefix}alice`)).toBeCloseTo(14, 1);
    const reader = new Redis(redisUrl);
    try {
      await limiter.close?.();
      // Two spent in all; the 4 still leased went back.
      expect(await tokensInRedis(reader, `${prefix}alice`)).toBeCloseTo(18, 1);
    } finally {
      reader.disconnect();
    }
  });

  it('gives an idle lease back by itself, so other replicas can use its tokens', async () => {
    const client = new Redis(redisUrl);
    const prefix = `test:${Math.random()}:`;
    const limiter = createRedisRateLimiter(
      client,
      { capacity: 20, refillPerSecond: 0.001 },
      { keyPrefix: prefix, leaseTokens: 5, leaseMs: 50 },
    );
    try {
      expect((await limiter.take('alice')).allowed).toBe(true);
      expect(await tokensInRedis(client, `${prefix}alice`)).toBeCloseTo(15, 1);
      // No further request on this replica: the sweep returns the 4 unspent tokens.
      await eventually(async () => (await tokensInRedis(client, `${prefix}alice`)) > 18.5);
      expect(await tokensInRedis(client, `${prefix}alice`)).toBeCloseTo(19, 1);
    } finally {
      await limiter.close?.();
    }
  });

  it('refuses without a round trip while the shared bucket is empty', async () => {
    const client = new Redis(redisUrl);
    try {
      const prefix = `test:${Math.random()}:`;
      const limiter = createRedisRateLimiter(
        client,
        { capacity: 2, refillPerSecond: 0.001 },
        { keyPrefix: prefix, leaseTokens: 2 },
      );
      expect((await limiter.take('alice')).allowed).toBe(true);
      expect((await limiter.take('alice')).allowed).toBe(true);
      const roundTrips = countRoundTrips(client);
      await eventually(async () => (await tokensInRedis(client, `${prefix}alice`)) < 0.5);
      const refused = await limiter.take('alice');
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterSeconds).toBeGreaterThan(900);
      const calls = roundTrips.mock.calls.length;
      for (let i = 0; i < 10; i++) expect((await limiter.take('alice')).allowed).toBe(false);
      expect(roundTrips).toHaveBeenCalledTimes(calls);
    } finally {
      client.disconnect();
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
