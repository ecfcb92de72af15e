import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type DrillRecord, renderRecord, runDrill, scenarioNamed } from '@homelab/drills';
import { postgresAvailable, realServersRequired, redisAvailable, takeHostNetworkTurn } from '@homelab/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrchestratorDrillTarget, startOrchestratorDrillTarget } from './drill-target.ts';
import { runLeftovers } from './orchestrator-up.ts';

/**
 * The orchestrator drills for real: `orchestrator up --platform` (3 network-namespace nodes, PostgreSQL, Redis,
 * api, gateway, web), load through the gateway's service address, a process kill and a power loss of
 * PostgreSQL's node. One platform start is shared by the drills (it alone takes 60-130 s here); each drill leaves
 * the platform whole for the next. orch-agent-kill runs through `homelab drill` only: it adds about a minute.
 */
const root = resolve(import.meta.dirname, '../../../..');
const missing = [
  ...(process.getuid?.() === 0 ? [] : ['root (namespaces, cgroups, a bridge)']),
  ...(postgresAvailable() ? [] : ['PostgreSQL server']),
  ...(redisAvailable() ? [] : ['redis-server']),
  ...(existsSync(join(root, '.tools/bin/node')) ? [] : ['bootstrapped Node (scripts/bootstrap.sh)']),
];
if (missing.length > 0) {
  if (realServersRequired()) throw new Error(`CI=true: the orchestrator drills need ${missing.join(', ')}`);
  console.warn(`\n[notice] SKIP (visible): the orchestrator drills need ${missing.join(', ')}\n`);
}

describe.skipIf(missing.length > 0)('drills on the Go orchestrator', () => {
  const binDir = mkdtempSync(join(tmpdir(), 'orch-drills-'));
  const bin = join(binDir, 'orchestrator');
  let target: OrchestratorDrillTarget;
  const records: DrillRecord[] = [];

  let giveBackTurn: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    giveBackTurn = await takeHostNetworkTurn('the orchestrator drills');
    // This checkout's orchestrator, built the way its README says (GOTOOLCHAIN=local: the pinned Go).
    execFileSync('go', ['build', '-o', bin, './orchestrator/cmd/orchestrator'], {
      cwd: root,
      env: { ...process.env, GOTOOLCHAIN: 'local' },
      stdio: 'inherit',
    });
    target = await startOrchestratorDrillTarget({
      bin,
      root,
      ...(process.env.DRILL_DEBUG ? { log: (line: string) => console.log(line) } : {}),
    });
    console.log(`orchestrator drills: platform whole ${(target.startedInMs / 1000).toFixed(1)} s after up`);
  }, 1_500_000);

  afterAll(async () => {
    await target?.stop();
    // Nothing of the run may outlive it: link, namespaces, cgroups, its directory, any shim of its nodes.
    const left = target ? runLeftovers(target.bridge) : [];
    rmSync(binDir, { recursive: true, force: true });
    for (const record of records) console.log(renderRecord(record));
    await giveBackTurn?.();
    expect(left, 'left on the host after orchestrator up stopped').toEqual([]);
  }, 120_000);

  const drill = async (name: string) => {
    // Whole and answering before each drill, so its baseline is clean even after an earlier drill failed.
    await target.waitWhole();
    const record = await runDrill(scenarioNamed(name), target);
    records.push(record);
    return record;
  };

  it('orch-process-kill: the agent restarts the killed instance; no 5xx outside the fault window', async () => {
    const record = await drill('orch-process-kill');
    const restart = record.signals.find((s) => s.signal.kind === 'restarts');
    expect(restart?.at, restart?.detail).toBeDefined();
    expect(restart?.detail).toMatch(/restarts \d+ -> \d+/);
    expect(record.events.some((e) => e.kind === 'mitigated' && e.detail.startsWith('automatic'))).toBe(true);
    for (const invariant of record.invariants) expect(invariant.held, invariant.detail).toBe(true);
    expect(record.passed, renderRecord(record)).toBe(true);
  }, 360_000);

  it('orch-postgres-node-loss: PostgreSQL waits for its node (never a second copy); the restore loses no acknowledged write', async () => {
    const record = await drill('orch-postgres-node-loss');
    const condition = record.signals.find((s) => s.signal.kind === 'condition');
    expect(condition?.detail).toMatch(/waiting for node n\d/);
    expect(record.signals.find((s) => s.signal.kind === 'dependency-down')?.at).toBeDefined();
    // The load really saw the outage: a hypothesis nothing could refute would prove nothing.
    expect(record.measurements.failedRequests).toBeGreaterThan(0);
    const writes = record.invariants.find((i) => i.invariant.kind === 'no-acknowledged-write-lost');
    expect(writes?.detail).toMatch(/^[1-9]\d* writes acknowledged, 0 missing/);
    for (const invariant of record.invariants) expect(invariant.held, invariant.detail).toBe(true);
    expect(record.passed, renderRecord(record)).toBe(true);
  }, 360_000);
});
