import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from '@homelab/platform';
import { createDatabase, type ServiceProcess, startServiceProcess } from '@homelab/test-servers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from './auth/api-keys.ts';

/** The real notes API behind the real gateway, each in its own process, on PostgreSQL when the run has one. */
describe('gateway in front of the notes API', () => {
  const keys = { alice: randomBytes(32).toString('base64url'), bob: randomBytes(32).toString('base64url') };
  const pgliteDir = mkdtempSync(join(tmpdir(), 'gateway-e2e-'));
  const adminToken = randomBytes(24).toString('hex');
  let api: ServiceProcess;
  let canary: ServiceProcess;
  let gateway: ServiceProcess;
  const as = (who: keyof typeof keys, path: string, init: RequestInit = {}) =>
    fetch(`${gateway.url}${path}`, {
      ...init,
      headers: { 'x-api-key': keys[who], 'content-type': 'application/json', ...(init.headers ?? {}) },
    });

  beforeAll(async () => {
    const serverUrl = inject('postgresServerUrl');
    const redisUrl = inject('redisUrl');
    const databaseUrl = serverUrl ? await createDatabase(serverUrl, 'gateway_e2e') : undefined;
    // With PGlite each API needs its own directory; with PostgreSQL stable and canary share the notes.
    const apiEnv = (version: string, dir: string) => ({
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { PGLITE_DATA_DIR: join(pgliteDir, dir) }),
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      MIGRATE_ON_START: 'true',
      SERVICE_VERSION: version,
    });
    api = await startServiceProcess('api', apiEnv('1.0.0', 'stable'));
    canary = await startServiceProcess('api', apiEnv('1.1.0', 'canary'));
    gateway = await startServiceProcess('gateway', {
      API_URL: api.url,
      API_VERSION: '1.0.0',
      CANARY_URL: canary.url,
      CANARY_VERSION: '1.1.0',
      CANARY_WEIGHT: '0',
      ADMIN_TOKEN: adminToken,
      API_KEYS: `alice:${hashApiKey(keys.alice)},bob:${hashApiKey(keys.bob)}`,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    });
  }, 120_000);
  afterAll(async () => {
    // Every answer was written exactly once: no error of any kind on the gateway's output.
    expect(gateway?.output.join('')).not.toMatch(/error/i);
    expect(await gateway?.stop()).toBe(0);
    expect(await api?.stop()).toBe(0);
    expect(await canary?.stop()).toBe(0);
    rmSync(pgliteDir, { recursive: true, force: true });
  });

  it("answers 404 for another user's note, even when the client claims to be its owner", async () => {
    const created = await as('alice', '/v1/notes', {
      method: 'POST',
      body: JSON.stringify({ title: 'private', body: 'alice only' }),
    });
    expect(created.status).toBe(201);
    const note = (await created.json()) as { id: string; title: string };
    expect((await as('alice', `/v1/notes/${note.id}`)).status).toBe(200);

    const stolen = await as('bob', `/v1/notes/${note.id}`);
    expect(stolen.status).toBe(404);
    expect(stolen.headers.get('content-type')).toBe('application/problem+json');
    const spoofed = await as('bob', `/v1/notes/${note.id}`, { headers: { [http.identityHeader]: 'alice' } });
    expect(spoofed.status).toBe(404);
    expect((await as('bob', `/v1/notes/${note.id}`, { method: 'DELETE' })).status).toBe(404);
    const bobsList = (await (await as('bob', '/v1/notes')).json()) as { notes: { id: string }[] };
    expect(bobsList.notes.map((n) => n.id)).not.toContain(note.id);
    expect((await fetch(`${gateway.url}/v1/notes/${note.id}`)).status).toBe(401);
    expect((await as('alice', `/v1/notes/${note.id}`)).status).toBe(200);
  });

  it('propagates the request id end to end and labels upstream metrics with the version', async () => {
    const res = await as('alice', '/v1/notes', { headers: { 'x-request-id': 'e2e-trace-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('e2e-trace-1');
    const metrics = await (await fetch(`${gateway.url}${http.paths.metrics}`)).text();
    expect(metrics).toMatch(
      /gateway_upstream_requests_total\{route="notes",upstream="stable",version="1.0.0",status="200"\} [1-9]/,
    );
  });

  it('shifts traffic to the canary at run time through the admin endpoint', async () => {
    const setWeights = (weights: Record<string, number>) =>
      fetch(`${gateway.url}/admin/upstreams/notes`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ weights }),
      });
    expect((await setWeights({ stable: 0, canary: 100 })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await as('alice', '/v1/notes')).status).toBe(200);
    const metrics = await (await fetch(`${gateway.url}${http.paths.metrics}`)).text();
    expect(metrics).toMatch(
      /gateway_upstream_requests_total\{route="notes",upstream="canary",version="1.1.0",status="200"\} 5/,
    );
    expect(metrics).toMatch(/gateway_upstream_weight\{route="notes",upstream="canary",version="1.1.0"\} 100/);
    expect((await setWeights({ stable: 100, canary: 0 })).status).toBe(200);
  });
});
