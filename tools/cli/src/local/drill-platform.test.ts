import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type DrillRecord, renderRecord, runDrill, scenarioNamed } from '@homelab/drills';
import {
  type PostgresServer,
  postgresAvailable,
  type RedisServer,
  realServersRequired,
  redisAvailable,
  startPostgres,
  startRedis,
} from '@homelab/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCgroups } from './cgroups.ts';
import { type LocalDrillPlatform, startLocalDrillPlatform } from './drill-platform.ts';

/**
 * The local drills run for real: api and gateway as processes under the supervisor with their cgroup limits, a
 * real Redis, load through the gateway. Each drill is one test; they share one platform, in this order, and each
 * leaves it recovered for the next (the runner verifies recovery and always reverts).
 */
const root = resolve(import.meta.dirname, '../../../..');
const portOffset = 24_000 + Math.floor(Math.random() * 300) * 20;
const cgroups = detectCgroups();
const withRedis = redisAvailable() || realServersRequired();
// With PostgreSQL the api is what its container runs, under its container's memory limit (PGlite is not).
const withPostgres = postgresAvailable() || realServersRequired();
if (!withRedis || !withPostgres) console.warn('local drills: no real Redis/PostgreSQL here, their drills are SKIPPED');

describe('local drills, for real', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'homelab-drill-'));
  let redis: RedisServer | undefined;
  let postgres: PostgresServer | undefined;
  let platform: LocalDrillPlatform;
  const records: DrillRecord[] = [];

  beforeAll(async () => {
    if (withRedis) redis = await startRedis();
    if (withPostgres) postgres = await startPostgres();
    platform = await startLocalDrillPlatform({
      root,
      dataDir,
      portOffset,
      cgroups,
      ...(redis ? { redis } : {}),
      ...(postgres ? { postgres: { ...postgres, stop: () => postgres?.stop('fast') ?? Promise.resolve() } } : {}),
      log: (name, line) => {
        if (process.env.DRILL_DEBUG) console.log(name, line);
      },
    });
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await redis?.stop();
    await postgres?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    for (const record of records) console.log(renderRecord(record));
  });

  const run = async (name: string) => {
    const record = await runDrill(scenarioNamed(name), platform, { minFaultSeconds: 3 });
    records.push(record);
    return record;
  };

  it('process-kill: a SIGKILLed api fails requests until the supervisor restarts it', async () => {
    const r = await run('process-kill');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.measurements.failedRequests).toBeGreaterThan(0);
    expect(r.signals.find((s) => s.signal.kind === 'termination')?.detail).toMatch(/SIGKILL/);
    expect(r.measurements.timeToRecoverMs).toBeGreaterThan(r.measurements.timeToFirstFailureMs ?? 0);
  }, 90_000);
});
