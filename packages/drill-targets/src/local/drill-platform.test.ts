import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  alertSelector,
  type DrillRecord,
  pageAlert,
  renderRecord,
  runDrill,
  type SignalResult,
  scenarioNamed,
  sloOf,
} from '@homelab/drills';
import { detectCgroups, prometheusBinary } from '@homelab/local-platform';
import { burnRateAlertName } from '@homelab/observability/slo-rules';
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
const withPrometheus = existsSync(prometheusBinary);
if (!withPrometheus) {
  if (realServersRequired()) throw new Error(`CI=true requires ${prometheusBinary}: .ci/run installs prometheus`);
  console.warn(`\n[notice] ${prometheusBinary} not found: the drills' Prometheus alerts are NOT checked here\n`);
}

/**
 * One platform for a describe block: started before its drills (real PostgreSQL when there is one, Redis and
 * Prometheus when asked), stopped after them, each drill's record printed at the end. Returns the drill runner.
 */
function drillPlatform(options: { prefix: string; portOffset: number; redis: boolean; prometheus: boolean }) {
  const dataDir = mkdtempSync(join(tmpdir(), options.prefix));
  let redis: RedisServer | undefined;
  let postgres: PostgresServer | undefined;
  let platform: LocalDrillPlatform;
  const records: DrillRecord[] = [];

  beforeAll(async () => {
    if (options.redis) redis = await startRedis();
    if (withPostgres) postgres = await startPostgres();
    platform = await startLocalDrillPlatform({
      root,
      dataDir,
      portOffset: options.portOffset,
      cgroups,
      prometheus: options.prometheus,
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

  return async (name: string) => {
    const record = await runDrill(scenarioNamed(name), platform, { minFaultSeconds: 3 });
    records.push(record);
    return record;
  };
}

describe('local drills, for real', () => {
  const run = drillPlatform({ prefix: 'homelab-drill-', portOffset, redis: withRedis, prometheus: false });

  it('process-kill: a SIGKILLed api fails requests until the supervisor restarts it', async () => {
    const r = await run('process-kill');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.measurements.failedRequests).toBeGreaterThan(0);
    expect(r.signals.find((s) => s.signal.kind === 'termination')?.detail).toMatch(/SIGKILL/);
    expect(r.measurements.timeToRecoverMs).toBeGreaterThan(r.measurements.timeToFirstFailureMs ?? 0);
  }, 90_000);

  it.skipIf(cgroups.mode === 'none' && !realServersRequired())(
    'oom-kill: the leak fault drives the api into its cgroup memory limit; reported as OOMKilled with the limit',
    async () => {
      const r = await run('oom-kill');
      expect(r.passed, renderRecord(r)).toBe(true);
      const termination = r.signals.find((s) => s.signal.kind === 'termination');
      expect(termination?.detail).toMatch(/OOMKilled: memory limit 256Mi exceeded \(SIGKILL\)/);
      expect(r.evidence.join('\n')).toMatch(/api: exited unexpectedly \(OOMKilled: memory limit 256Mi/);
    },
    90_000,
  );

  it('crash-loop: a malformed variable stops every start until reverted, with a growing back-off', async () => {
    const r = await run('crash-loop');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.evidence.join('\n')).toMatch(/DATABASE_POOL_MAX/);
    const mitigated = r.events.find((e) => e.kind === 'mitigated')?.detail;
    expect(mitigated).toMatch(/reverted/);
    expect(r.measurements.timeToRecoverMs).toBeGreaterThan(r.measurements.timeToMitigateMs ?? 0);
  }, 90_000);

  it.skipIf(!withRedis)(
    'redis-down: Redis stopped under load, no request fails with a server error',
    async () => {
      const r = await run('redis-down');
      expect(r.invariants, renderRecord(r)).toEqual([expect.objectContaining({ held: true })]);
      expect(r.passed, renderRecord(r)).toBe(true);
      expect(r.measurements.failedRequests).toBe(0);
    },
    90_000,
  );

  it.skipIf(!withPostgres)(
    'postgres-down: writes refused while it is down, no acknowledged write lost',
    async () => {
      const r = await run('postgres-down');
      expect(r.invariants, renderRecord(r)).toEqual([expect.objectContaining({ held: true })]);
      expect(r.passed, renderRecord(r)).toBe(true);
      expect(r.invariants[0]?.detail).toMatch(/^[1-9]\d* writes acknowledged, 0 missing/);
    },
    90_000,
  );
});

/**
 * The sustained faults on a platform with Debian's Prometheus beside it (the project's rules, 1 s intervals): the
 * page-fast burn-rate alerts go pending within seconds. A platform of their own, because an alert another drill
 * left pending (its 5m window) would make the next drill's precondition refuse to start.
 */
describe('latency and error drills, with the alerts in a real Prometheus', () => {
  const run = drillPlatform({
    prefix: 'homelab-drill-alerts-',
    portOffset: portOffset + 5,
    redis: false,
    prometheus: withPrometheus,
  });

  /** The result for the page alert of `app`'s SLO; its name as the observability package writes the rule. */
  const alertResult = (r: DrillRecord, app: 'api' | 'gateway', slo: 'availability' | 'latency') => {
    const name = burnRateAlertName(app, sloOf(app, slo));
    const signal = pageAlert(app, slo);
    expect(signal.alert).toBe(name);
    return r.signals.find(
      (s): s is SignalResult => s.signal.kind === 'alert' && alertSelector(s.signal) === alertSelector(signal),
    );
  };

  it('latency-fault: every call slower than the gateway latency SLO, no server error', async () => {
    const r = await run('latency-fault');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.measurements.slowRequests).toBeGreaterThan(0);
    expect(r.measurements.latencyBudgetSpentPercent).toBeGreaterThan(0);
    expect(r.invariants[0]?.held).toBe(true);
    for (const app of ['gateway', 'api'] as const) {
      const alert = alertResult(r, app, 'latency');
      if (!withPrometheus) expect(alert).toMatchObject({ observable: false, at: undefined });
      else expect(alert?.detail, renderRecord(r)).toMatch(/^Prometheus: (pending|firing) since .*slo=latency/);
    }
    if (withPrometheus) expect(r.measurements.timeToAlertPendingMs).toBeGreaterThan(0);
  }, 90_000);

  it('error-fault: half the calls fail; the availability burn crosses the page factor', async () => {
    const r = await run('error-fault');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.measurements.failedRequests).toBeGreaterThan(0);
    expect(r.measurements.timeToDetectMs).toBeDefined();
    const gateway = alertResult(r, 'gateway', 'availability');
    const api = alertResult(r, 'api', 'availability');
    if (!withPrometheus) {
      expect(gateway).toMatchObject({ observable: false, at: undefined });
      return;
    }
    // Pending (or already firing) after the injection, with the instance's labels and value from Prometheus.
    expect(gateway?.detail, renderRecord(r)).toMatch(
      /^Prometheus: (pending|firing) since \+\d+\.\d s, value 0\.\d+ \(.*severity=page.*slo=availability/,
    );
    expect(api?.at).toBeGreaterThan(r.events.find((e) => e.kind === 'injected')?.at ?? Number.POSITIVE_INFINITY);
    expect(r.events.filter((e) => e.kind === 'signal').map((e) => e.detail)).toContainEqual(
      expect.stringMatching(
        /^alert GatewayAvailabilityErrorBudgetBurn\{service="gateway",tier="page-fast"\} pending: Prometheus:/,
      ),
    );
    expect(r.measurements.timeToAlertPendingMs).toBe(
      Math.min(gateway?.at ?? 0, api?.at ?? 0) - (r.events.find((e) => e.kind === 'injected')?.at ?? 0),
    );
  }, 90_000);
});

describe('bad-canary drill, for real', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'homelab-drill-canary-'));
  let postgres: PostgresServer | undefined;
  let platform: LocalDrillPlatform | undefined;
  afterAll(async () => {
    await platform?.stop();
    await postgres?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the canary gate rolls back a canary failing 30 % of its requests, at 10 % of the traffic', async () => {
    if (withPostgres) postgres = await startPostgres();
    platform = await startLocalDrillPlatform({
      root,
      dataDir,
      portOffset: portOffset + 10,
      cgroups,
      canary: true,
      ...(postgres ? { postgres: { ...postgres, stop: () => postgres?.stop('fast') ?? Promise.resolve() } } : {}),
    });
    const r = await runDrill(scenarioNamed('bad-canary'), platform);
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.signals[0]?.detail).toMatch(/^canary gate: rolled back \(regression\)/);
    // Only the canary's share can fail: far fewer than the stable-only drills lose.
    expect(r.measurements.failedRequests).toBeLessThan(r.measurements.requests * 0.1);
  }, 150_000);
});
