import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { auth, hashApiKey } from '@homelab/platform';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPorts, platformProcesses, sharedDatabaseName } from './platform-processes.ts';
import { demoIdentity, loadOrCreateSecrets } from './secrets.ts';
import { type Supervisor, supervise } from './supervisor.ts';

const repositoryRoot = resolve(import.meta.dirname, '../../..');

/**
 * `homelab up --canary` as it runs: the shared embedded PostgreSQL (PGlite over the wire protocol), the stable
 * and the canary API, the gateway splitting traffic 50/50. Real processes, loopback only.
 */
describe('--canary: stable and canary share one database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'homelab-canary-db-'));
  const portOffset = 23_000 + Math.floor(Math.random() * 400) * 20;
  const ports = localPorts(portOffset);
  const gateway = `http://127.0.0.1:${ports.gateway}`;
  const secrets = loadOrCreateSecrets(join(dataDir, 'secrets.json'));
  const headers = { [auth.apiKeyHeader]: secrets.demoApiKey, 'content-type': 'application/json' };
  const logs: string[] = [];
  let platform: Supervisor;

  beforeAll(async () => {
    const processes = platformProcesses({
      root: repositoryRoot,
      dataDir,
      secrets,
      demoApiKeyHash: hashApiKey(secrets.demoApiKey),
      demoIdentity,
      canaryWeight: 50,
      portOffset,
      logLevel: 'warn',
    }).filter((p) => p.name !== 'web');
    platform = supervise(processes, { log: (name, line) => logs.push(`${name} | ${line}`), initialBackoffMs: 200 });
    await platform.waitUntilReady(120_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${logs.join('\n')}`);
    });
  }, 150_000);

  afterAll(async () => {
    await platform?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** 30 reads through the gateway: with a 50 % canary, both APIs answer some (all-stable: 1 in 10^9). */
  const readStatuses = async (id: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${gateway}/v1/notes/${id}`, { headers });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    return statuses;
  };

  it('runs one database process that both APIs connect to', () => {
    const names = platform.processes.map((p) => p.spec.name);
    expect(names).toEqual([sharedDatabaseName, 'api', 'api-canary', 'gateway']);
    const url = `postgres://postgres@127.0.0.1:${ports.sharedDatabase}/postgres`;
    for (const api of platform.processes.filter((p) => p.spec.name.startsWith('api'))) {
      expect(api.spec.env.DATABASE_URL).toBe(url);
    }
  });

  it('answers every read of a note with 200, whichever API the gateway picks', async () => {
    const created = await fetch(`${gateway}/v1/notes`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'shared', body: 'written once, read by stable and canary' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(await readStatuses(id)).toEqual(Array(30).fill(200));
  }, 60_000);

  it('keeps the stable API working after a canary applied a newer migration, across a stable restart', async () => {
    const created = await fetch(`${gateway}/v1/notes`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'before the canary migration', body: 'must survive it' }),
    });
    const { id } = (await created.json()) as { id: string };
    // What a canary with migration 999 does on start: an additive change, recorded as Postgrator records it.
    const client = new pg.Client({
      connectionString: `postgres://postgres@127.0.0.1:${ports.sharedDatabase}/postgres`,
    });
    await client.connect();
    try {
      await client.query('ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false');
      await client.query(
        "INSERT INTO schemaversion (version, name, md5, run_at) VALUES (999, 'add-pinned', 'canary', now())",
      );
    } finally {
      await client.end();
    }
    // The stable API restarts (a crash, a new pod) and runs its migrations on start against the newer schema.
    const stable = platform.processes.find((p) => p.spec.name === 'api');
    const restartsBefore = stable?.restarts ?? 0;
    process.kill(stable?.pid as number, 'SIGKILL');
    const deadline = Date.now() + 60_000;
    while ((stable?.restarts ?? 0) === restartsBefore && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await platform.waitUntilReady(60_000);
    expect(await readStatuses(id)).toEqual(Array(30).fill(200));
    const another = await fetch(`${gateway}/v1/notes`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'after the canary migration', body: 'stable and canary both write' }),
    });
    expect(another.status).toBe(201);
    expect(logs.join('\n')).not.toMatch(/migration failed/);
  }, 120_000);
});
