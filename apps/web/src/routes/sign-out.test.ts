import { createLogger, createMetrics } from '@homelab/service-kit';
import { realServersRequired } from '@homelab/test-servers';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../app.tsx';
import type { GatewayClient } from '../gateway-client.ts';
import { createSessions } from '../session.ts';
import type { SessionRevocations } from '../session-revocations.ts';
import { createMemoryRevocations, createRedisRevocations } from '../session-revocations.ts';
import { createUserDirectory, hashPassword } from '../users.ts';

const origin = 'http://web.test';
const password = 'a sign-out test password';
const usersText = `demo:${await hashPassword(password)}`;
const secret = 's'.repeat(32);

/** One web replica; replicas share the session secret and, when given, the revocations. */
async function replica(revocations: SessionRevocations) {
  const reply = async () => ({ ok: true, value: { notes: [], nextCursor: null } }) as never;
  const gateway: GatewayClient = { list: reply, get: reply, create: reply, update: reply, remove: reply };
  const { app } = createApp({
    logger: createLogger({ service: 'web', version: 'test', level: 'silent' }),
    metrics: createMetrics({ service: 'web', version: 'test', commit: 'test' }),
    gateway,
    sessions: createSessions({ secret, secure: false, revocations }),
    users: await createUserDirectory(usersText),
    readStatus: async () => ({ source: 'service metrics', window: 'test', services: [], canary: undefined }),
  });
  const form = { origin, 'content-type': 'application/x-www-form-urlencoded' };
  return {
    signIn: async () => {
      const res = await app.request(`${origin}/signin`, {
        method: 'POST',
        headers: form,
        body: new URLSearchParams({ username: 'demo', password }).toString(),
      });
      expect(res.status).toBe(303);
      return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    },
    signOut: (cookie: string) => app.request(`${origin}/signout`, { method: 'POST', headers: { ...form, cookie } }),
    notes: async (cookie: string) => (await app.request(`${origin}/notes`, { headers: { cookie } })).status,
  };
}

/**
 * Issue 17: signing out only deleted the cookie in that browser; a copy of it (another tab's, a stolen one) kept
 * working for the rest of its 12 hours. Sign-out now revokes the session on the server, at once.
 */
describe('sign-out revokes the session', () => {
  it('refuses the old cookie right after sign-out, and leaves other sessions of the same user alone', async () => {
    const web = await replica(createMemoryRevocations());
    const cookie = await web.signIn();
    const other = await web.signIn();
    expect(await web.notes(cookie)).toBe(200);
    const out = await web.signOut(cookie);
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect(await web.notes(cookie)).toBe(303);
    expect(await web.notes(other)).toBe(200);
  });

  it('forgets a revocation once the session would have expired anyway', async () => {
    let now = 1_000_000;
    const revocations = createMemoryRevocations({ now: () => now });
    await revocations.revoke('s1', 60);
    expect(await revocations.isRevoked('s1')).toBe(true);
    now += 61_000;
    expect(await revocations.isRevoked('s1')).toBe(false);
    expect(revocations.size()).toBe(0);
  });

  const redisUrl = inject('redisUrl');
  describe.runIf(redisUrl || realServersRequired())('with Redis (real server)', () => {
    const clients: Redis[] = [];
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.quit()));
    });
    const shared = () => {
      const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      clients.push(client);
      return createRedisRevocations(client);
    };

    it('refuses the cookie on every replica once one of them signed it out', async () => {
      const [a, b] = [await replica(shared()), await replica(shared())];
      const cookie = await a.signIn();
      expect(await b.notes(cookie)).toBe(200);
      expect((await a.signOut(cookie)).status).toBe(303);
      expect(await b.notes(cookie)).toBe(303);
      expect(await a.notes(cookie)).toBe(303);
      // The revocation lives no longer than the session could have.
      const keys = await clients[0]?.keys('homelab:web:revoked:*');
      const ttl = await clients[0]?.ttl(keys?.[0] as string);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(12 * 3600);
    });
  });
});
