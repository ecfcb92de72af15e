import { auth, hashApiKey } from '@homelab/platform';
import { createDatabase, realServersRequired, type ServiceProcess, startServiceProcess } from '@homelab/test-servers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiImpl, type ApiProcess, startApi } from './testing/api-process.ts';
import { requestCounts } from './testing/differential.ts';

/**
 * Both implementations at once on one PostgreSQL database and one Redis, behind the real gateway at 50/50 (its
 * CANARY_URL and CANARY_WEIGHT): clients create, read, page, patch with If-Match and delete through the gateway
 * for a few seconds, and every answer must be the one a single implementation would give. Run both ways round:
 * TypeScript stable with a Go canary, and Go stable with a TypeScript canary.
 */
const postgresServerUrl = inject('postgresServerUrl');
const redisUrl = inject('redisUrl');
const available = postgresServerUrl !== '' && redisUrl !== '';
if (!available && !realServersRequired()) console.warn('[notice] no real PostgreSQL/Redis: the canary soak is skipped');

const soakMs = 6_000;
const apiKey = 'canary-soak-key-0123456789abcdef01234';

describe.skipIf(!available).each([
  ['ts', 'go'],
  ['go', 'ts'],
] as [ApiImpl, ApiImpl][])('stable %s + canary %s at 50/50 through the gateway', (stableImpl, canaryImpl) => {
  let stable: ApiProcess;
  let canary: ApiProcess;
  let gateway: ServiceProcess;

  beforeAll(async () => {
    const databaseUrl = await createDatabase(postgresServerUrl, `soak_${stableImpl}_${canaryImpl}`);
    const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, LOG_LEVEL: 'silent' };
    // The stable one migrates first; the canary finds the schema current (Postgrator's table, read by both).
    stable = await startApi(stableImpl, { ...env, MIGRATE_ON_START: 'true' });
    canary = await startApi(canaryImpl, { ...env, MIGRATE_ON_START: 'true' });
    gateway = await startServiceProcess('gateway', {
      API_URL: stable.url,
      CANARY_URL: canary.url,
      CANARY_WEIGHT: '50',
      API_KEYS: `soak:${hashApiKey(apiKey)}`,
      RATE_LIMIT_BURST: '100000',
      RATE_LIMIT_PER_SECOND: '100000',
      LOG_LEVEL: 'silent',
    });
  }, 600_000);
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([stable?.stop(), canary?.stop()]);
  });

  it('no client-visible difference under mixed traffic', async () => {
    const headers = { [auth.apiKeyHeader]: apiKey };
    const json = { ...headers, 'content-type': 'application/json' };
    const failures: string[] = [];
    let cycles = 0;
    const expectStatus = (what: string, res: Response, status: number) => {
      if (res.status !== status) failures.push(`${what}: ${res.status}, want ${status}`);
    };
    const worker = async (w: number) => {
      const until = Date.now() + soakMs;
      while (Date.now() < until && failures.length === 0) {
        const title = `w${w}-${cycles}`;
        const created = await fetch(`${gateway.url}/v1/notes`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ title }),
        });
        expectStatus('create', created, 201);
        const note = (await created.json()) as { id: string; version: number; title: string };
        for (let i = 0; i < 3; i++) {
          const read = await fetch(`${gateway.url}/v1/notes/${note.id}`, { headers });
          expectStatus('read', read, 200);
          const body = (await read.json()) as typeof note;
          if (body.title !== title || body.version !== 1) failures.push(`read ${JSON.stringify(body)}`);
        }
        const patched = await fetch(`${gateway.url}/v1/notes/${note.id}`, {
          method: 'PATCH',
          headers: { ...json, 'if-match': '"1"' },
          body: JSON.stringify({ body: 'changed' }),
        });
        expectStatus('patch', patched, 200);
        await patched.arrayBuffer();
        const stale = await fetch(`${gateway.url}/v1/notes/${note.id}`, {
          method: 'PATCH',
          headers: { ...json, 'if-match': '"1"' },
          body: JSON.stringify({ body: 'lost update' }),
        });
        expectStatus('stale patch', stale, 412);
        await stale.arrayBuffer();
        // The other implementation must see the new version at once: the patch invalidated the shared cache.
        for (let i = 0; i < 3; i++) {
          const read = await fetch(`${gateway.url}/v1/notes/${note.id}`, { headers });
          const body = (await read.json()) as { version: number; body: string };
          if (body.version !== 2 || body.body !== 'changed') failures.push(`read after patch ${JSON.stringify(body)}`);
        }
        const page = await fetch(`${gateway.url}/v1/notes?limit=2`, { headers });
        expectStatus('list', page, 200);
        const { nextCursor } = (await page.json()) as { nextCursor: string | null };
        if (nextCursor) {
          // A cursor issued by one implementation continues on the other.
          const next = await fetch(`${gateway.url}/v1/notes?limit=2&cursor=${encodeURIComponent(nextCursor)}`, {
            headers,
          });
          expectStatus('next page', next, 200);
          await next.arrayBuffer();
        }
        const deleted = await fetch(`${gateway.url}/v1/notes/${note.id}`, { method: 'DELETE', headers });
        expectStatus('delete', deleted, 204);
        for (let i = 0; i < 2; i++) {
          const gone = await fetch(`${gateway.url}/v1/notes/${note.id}`, { headers });
          expectStatus('read after delete', gone, 404);
          await gone.arrayBuffer();
        }
        cycles++;
      }
    };
    await Promise.all(Array.from({ length: 4 }, (_, w) => worker(w)));
    expect(failures).toEqual([]);
    expect(cycles).toBeGreaterThan(10);
    // Both answered a real share of the traffic.
    const served = await Promise.all(
      [stable, canary].map(async (api) => {
        const counts = requestCounts(await (await fetch(`${api.url}/metrics`)).text());
        return Object.entries(counts)
          .filter(([k]) => k.includes('/v1/'))
          .reduce((sum, [, n]) => sum + n, 0);
      }),
    );
    const [stableServed = 0, canaryServed = 0] = served;
    expect(canaryServed / (stableServed + canaryServed)).toBeGreaterThan(0.3);
    expect(canaryServed / (stableServed + canaryServed)).toBeLessThan(0.7);
  }, 120_000);
});
