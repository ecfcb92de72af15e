import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadProfiles, type RolloutResult, startLoad } from '@homelab/canary-gate';
import { localPorts } from '@homelab/local-platform';
import { createDatabase, realServersRequired } from '@homelab/test-servers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * `homelab deploy --local` end to end on real processes: `homelab up --canary --prometheus` (api, api-canary,
 * gateway, web and Debian's Prometheus), real load from autocannon at the canary load profile's rate, faults
 * injected into the canary through the service kit's drill endpoint. Nothing here is a stand-in.
 */
const main = resolve(import.meta.dirname, '../main.ts');
const portOffset = 21_000 + Math.floor(Math.random() * 400) * 20;
const ports = localPorts(portOffset);
const loopback = (port: number) => `http://127.0.0.1:${port}`;
const prometheusBinary = '/usr/bin/prometheus';
const withPrometheus = existsSync(prometheusBinary);
if (!withPrometheus) {
  if (realServersRequired()) throw new Error(`CI=true requires ${prometheusBinary}: .ci/run installs prometheus`);
  console.warn(
    `\n[notice] ${prometheusBinary} not found: deploy e2e reads /metrics directly, never through Prometheus`,
  );
}

interface Run {
  readonly child: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<number | null>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const onData = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitFor = async (pattern: RegExp, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!output.some((l) => pattern.test(l))) {
      if (child.exitCode !== null) throw new Error(`exited early:\n${output.slice(-40).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern}:\n${output.slice(-40).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, output, exited, waitFor };
}

describe('homelab deploy --local (real processes, real Prometheus, real load)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'homelab-deploy-'));
  const children: ChildProcess[] = [];
  let secrets: { demoApiKey: string; adminToken: string };

  /** Through Prometheus unless `scrape`: then the gate reads each process' /metrics itself. */
  const deploy = (extra: string[] = [], { scrape = false } = {}) => {
    const r = run([
      'deploy',
      'api',
      '--local',
      '--data-dir',
      dataDir,
      '--port-offset',
      String(portOffset),
      ...(withPrometheus && !scrape ? ['--prometheus'] : []),
      // A short baseline keeps the suite quick; the load is already running, so the plan sees its rate.
      '--baseline',
      '5',
      ...extra,
    ]);
    children.push(r.child);
    return r;
  };
  const record = (r: Run): RolloutResult => {
    const line = r.output.find((l) => l.trim().startsWith('record '));
    if (!line) throw new Error(`no record line:\n${r.output.slice(-20).join('\n')}`);
    const result = JSON.parse(readFileSync(line.trim().slice('record '.length), 'utf8')) as RolloutResult;
    const last = result.timeline.at(-1);
    // The measured numbers, for the README: when the gate decided and on how many requests.
    console.log(
      `[deploy e2e] ${result.outcome}${result.reason ? ` (${result.reason})` : ''} at ${last?.at ?? 0} s, canary ${last?.canary.requests ?? 0} requests, stable ${last?.stable.requests ?? 0}`,
    );
    return result;
  };
  const faults = async (settings: Record<string, number>) => {
    const res = await fetch(`${loopback(ports.canaryApi)}/admin/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${secrets.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(settings),
    });
    expect(res.status).toBe(200);
  };
  const weights = async (): Promise<Record<string, number>> => {
    const res = await fetch(`${loopback(ports.gateway)}/admin/upstreams`, {
      headers: { authorization: `Bearer ${secrets.adminToken}` },
    });
    const body = (await res.json()) as Record<string, { name: string; weight: number }[]>;
    return Object.fromEntries((body.notes ?? []).map((u) => [u.name, u.weight]));
  };
  const load = (seconds: number) =>
    startLoad(loadProfiles.canary, {
      baseUrl: loopback(ports.gateway),
      headers: { 'x-api-key': secrets.demoApiKey },
      durationSeconds: seconds,
    });

  beforeAll(async () => {
    const serverUrl = inject('postgresServerUrl');
    // Stable and canary share one real PostgreSQL when there is one, as in the cluster.
    const databaseUrl = serverUrl ? await createDatabase(serverUrl, 'deploy_e2e') : undefined;
    const up = run([
      'up',
      '--canary-weight',
      '0',
      '--data-dir',
      dataDir,
      '--port-offset',
      String(portOffset),
      '--no-color',
      ...(withPrometheus ? ['--prometheus'] : []),
      ...(databaseUrl ? ['--database-url', databaseUrl] : []),
    ]);
    children.push(up.child);
    await up.waitFor(/\| ready$/, 120_000);
    secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8'));
    if (withPrometheus) {
      // Prometheus answers before its first scrape of both tracks: wait until it has them.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const res = await fetch(
          `${loopback(ports.prometheus)}/api/v1/query?query=${encodeURIComponent('count(up{job="api"} == 1)')}`,
        );
        const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
        if (body.data.result[0]?.value[1] === '2') break;
        if (Date.now() > deadline) throw new Error('Prometheus never scraped both API tracks');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }, 180_000);

  afterAll(async () => {
    for (const child of children.reverse()) if (child.exitCode === null) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 3000));
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('never rolls back a canary without traffic: it is held for the operator, with the plan said up front', async () => {
    const r = deploy(['--stage-deadline', '8']);
    expect(await r.exited).toBe(3);
    const result = record(r);
    expect(result).toMatchObject({ outcome: 'held', reason: 'insufficient evidence' });
    expect(result.plan).toMatch(/the decision is expected in never \(no traffic\)/);
    expect(result.detail).toMatch(/0 canary requests in this stage/);
    expect(result.timeline.every((p) => p.decision.kind !== 'rollback' || p.decision.reason !== 'regression')).toBe(
      true,
    );
    expect(await weights()).toMatchObject({ canary: 0 });
  }, 60_000);

  it('rolls back a canary with 5 % injected errors within a minute of evidence', async () => {
    await faults({ errorRatio: 0.05 });
    const traffic = load(120);
    try {
      const r = deploy();
      expect(await r.exited).toBe(1);
      const result = record(r);
      expect(result).toMatchObject({ outcome: 'rolled-back', reason: 'regression' });
      expect(result.detail).toMatch(/errors/);
      expect(result.timeline.at(-1)?.at).toBeLessThan(60);
      expect(await weights()).toMatchObject({ stable: 100, canary: 0 });
    } finally {
      traffic.stop();
      await traffic.done;
      await faults({});
    }
  }, 150_000);

  it('rolls back a canary whose requests got slower than the latency SLO', async () => {
    await faults({ latencyMs: 400, latencyRatio: 0.3 });
    const traffic = load(120);
    try {
      // This one reads the processes' /metrics directly: the source used when nothing is installed.
      const r = deploy([], { scrape: true });
      expect(await r.exited).toBe(1);
      const result = record(r);
      expect(result).toMatchObject({ outcome: 'rolled-back', reason: 'regression' });
      expect(result.detail).toMatch(/slow/);
    } finally {
      traffic.stop();
      await traffic.done;
      await faults({});
    }
  }, 150_000);

  it('finishes consistently when the gate is killed mid-rollout and run again', async () => {
    const traffic = load(120);
    try {
      const first = deploy();
      await first.waitFor(/stage 1\/3 +20 %/);
      first.child.kill('SIGKILL');
      await first.exited;
      const left = JSON.parse(readFileSync(join(dataDir, 'canary-rollout.json'), 'utf8'));
      expect(left).toMatchObject({ phase: 'running', weight: 20 });
      expect(await weights()).toMatchObject({ canary: 20 });
      // The re-run meets a broken canary, so it also ends quickly; what matters is what it does first.
      await faults({ errorRatio: 0.5 });
      const second = deploy([], { scrape: true });
      expect(await second.exited).toBe(1);
      const result = record(second);
      expect(result.recovered).toMatch(/reverted the interrupted rollout/);
      expect(JSON.parse(readFileSync(join(dataDir, 'canary-rollout.json'), 'utf8'))).toMatchObject({
        phase: 'rolled-back',
        weight: 0,
      });
      expect(await weights()).toMatchObject({ stable: 100, canary: 0 });
    } finally {
      traffic.stop();
      await traffic.done;
      await faults({});
    }
  }, 150_000);

  it('promotes a healthy canary through 20 -> 50 -> 100 % without a failed client request', async () => {
    const traffic = load(240);
    const r = deploy();
    const code = await r.exited;
    traffic.stop();
    const loadResult = await traffic.done;
    expect(code, r.output.slice(-10).join('\n')).toBe(0);
    const result = record(r);
    expect(result.outcome).toBe('promoted');
    expect(new Set(result.timeline.map((p) => p.weight))).toEqual(new Set([20, 50, 100]));
    expect(await weights()).toMatchObject({ stable: 100, canary: 0 });
    // Every shift happened under load: not one request failed or got an error status because of it.
    expect(loadResult.requests).toBeGreaterThan(100);
    expect(loadResult.errors).toBe(0);
    expect(loadResult.non2xx).toBe(0);
  }, 240_000);
});
