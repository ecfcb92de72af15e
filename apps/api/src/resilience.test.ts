import { http } from '@homelab/platform';
import {
  createDatabase,
  postgresAvailable,
  realServersRequired,
  redisAvailable,
  startPostgres,
  startRedis,
} from '@homelab/test-servers';
import { describe, expect, inject, it } from 'vitest';
import { buildTestApp, userHeaders } from './testing/test-app.ts';

const haveServers = postgresAvailable() && redisAvailable();
if (!haveServers && realServersRequired()) throw new Error('CI requires PostgreSQL and Redis binaries for this suite');
if (!haveServers) console.warn('[notice] PostgreSQL or Redis binaries missing: resilience tests skipped');

const json = { 'content-type': 'application/json' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(!haveServers)('dependency failures', () => {
  it('keeps answering without a 5xx when Redis is SIGKILLed mid-load, and uses it again when it returns', async () => {
    const redis = await startRedis();
    const databaseUrl = await createDatabase(inject('postgresServerUrl'), 'redis_kill');
    const t = await buildTestApp({ databaseUrl, redisUrl: redis.url });
    const user = await userHeaders('redis-victim');
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await t.app.request('/v1/notes', {
          method: 'POST',
          headers: { ...user, ...json },
          body: JSON.stringify({ title: `r${i}` }),
        });
        ids.push(((await res.json()) as { id: string }).id);
      }
      await sleep(200); // ioredis connected
      const statuses: number[] = [];
      let stop = false;
      const load = async (n: number) => {
        for (let i = 0; !stop; i++) {
          const id = ids[(i + n) % ids.length] as string;
          const res =
            i % 5 === 0
              ? await t.app.request(`/v1/notes/${id}`, {
                  method: 'PATCH',
                  headers: { ...user, ...json, 'if-match': '*' },
                  body: JSON.stringify({ body: `b${i}` }),
                })
              : await t.app.request(`/v1/notes/${id}`, { headers: user });
          statuses.push(res.status);
          await res.arrayBuffer();
        }
      };
      const loops = [load(0), load(1), load(2)];
      await sleep(400);
      await redis.kill();
      await sleep(1000);
      stop = true;
      await Promise.all(loops);
      expect(statuses.length).toBeGreaterThan(50);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(new Set(statuses)).toEqual(new Set([200]));
      const text = await t.metrics.registry.metrics();
      expect(Number(/cache_errors_total\{operation="get"\} (\d+)/.exec(text)?.[1] ?? 0)).toBeGreaterThan(0);
      expect(t.lines.some((l) => String(l.msg).includes('Redis cache unavailable'))).toBe(true);
      expect((await t.app.request(http.paths.readiness)).status).toBe(200);

      // Back by itself: reads fill the cache again and then hit it.
      await redis.start();
      const hits = async () =>
        Number(/cache_lookups_total\{result="hit"\} (\d+)/.exec(await t.metrics.registry.metrics())?.[1] ?? 0);
      const before = await hits();
      await waitFor('cache hits after Redis returned', async () => {
        await (await t.app.request(`/v1/notes/${ids[0]}`, { headers: user })).arrayBuffer();
        return (await hits()) > before;
      });
    } finally {
      await t.close();
      await redis.stop();
    }
  });

  it('answers 503 while PostgreSQL is down, recovers by itself, and loses no acknowledged write', async () => {
    const postgres = await startPostgres();
    const t = await buildTestApp({ databaseUrl: postgres.url });
    const user = await userHeaders('pg-outage');
    try {
      const acknowledged: string[] = [];
      const problems: number[] = [];
      const unexpected: string[] = [];
      let stop = false;
      const writer = async () => {
        for (let i = 0; !stop; i++) {
          const res = await t.app.request('/v1/notes', {
            method: 'POST',
            headers: { ...user, ...json },
            body: JSON.stringify({ title: `w${i}` }),
          });
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
          else if (res.status === 503 && res.headers.get('content-type') === 'application/problem+json') {
            problems.push(res.status);
            await res.arrayBuffer();
            await sleep(20);
          } else unexpected.push(`${res.status} ${await res.text()}`);
        }
      };
      const writers = [writer(), writer()];
      await sleep(500);
      const beforeOutage = acknowledged.length;
      await postgres.stop('fast');
      await waitFor('readiness 503', async () => (await t.app.request(http.paths.readiness)).status === 503);
      const duringOutage = await t.app.request('/v1/notes', { headers: user });
      expect(duringOutage.status).toBe(503);
      expect(duringOutage.headers.get('content-type')).toBe('application/problem+json');
      await sleep(500);
      await postgres.start();
      await waitFor('readiness 200 again', async () => (await t.app.request(http.paths.readiness)).status === 200);
      await sleep(300);
      stop = true;
      await Promise.all(writers);

      expect(unexpected).toEqual([]);
      expect(beforeOutage).toBeGreaterThan(0);
      expect(problems.length).toBeGreaterThan(0);
      expect(acknowledged.length).toBeGreaterThan(beforeOutage); // writes resumed without a restart
      const { rows } = await t.db.query<{ id: string }>('SELECT id FROM notes WHERE owner = $1', ['pg-outage']);
      const stored = new Set(rows.map((r) => r.id));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await t.close();
      await postgres.destroy();
    }
  });
});
