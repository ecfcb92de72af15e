import { readFileSync } from 'node:fs';
import { apps } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { alertSelector, pageAlert } from './alerts.ts';
import { scenarioNamed } from './catalog.ts';
import { renderPostmortem } from './postmortem.ts';
import type { Sample } from './record.ts';
import { renderRecord } from './render.ts';
import { diagnosisMatches, runDrill } from './runner.ts';
import type { AlertState, Injection, Scenario } from './scenario.ts';
import type { DrillTarget } from './target.ts';

/**
 * A target whose requests fail (502) while the injection is in force: the runner's own logic (timeline,
 * mitigation by revert, recovery, invariants) against a world it cannot tell from a real one.
 */
function fakeTarget(options: { failBaseline?: boolean } = {}) {
  let broken = options.failBaseline === true;
  const calls: string[] = [];
  const target: DrillTarget = {
    description: 'fake target (unit test)',
    checkPreconditions: async () => [],
    send: async () => ({ status: broken ? 502 : 200, ms: 2 }),
    inject: async (i: Injection) => {
      calls.push(`inject ${i.kind}`);
      broken = true;
    },
    revert: async (i: Injection) => {
      calls.push(`revert ${i.kind}`);
      broken = false;
    },
    cannotObserve: (signal) =>
      signal.kind === 'triage' ? 'no triage in this test' : signal.kind === 'alert' ? 'no Prometheus here' : undefined,
    observe: async () => undefined,
    verify: async (invariant, samples: readonly Sample[]) => ({
      invariant,
      held: samples.every((s) => s.status < 500),
      detail: 'checked',
    }),
    triage: async (check) => `fake ${check}`,
    evidence: () => ['a log line'],
  };
  return { target, calls };
}

/** error-fault, shrunk so the test takes seconds: 50 req/s, 1 s baseline, recovered after 1 s. */
const quick = (name: string, patch: Partial<Scenario> = {}): Scenario => {
  const s = scenarioNamed(name);
  return {
    ...s,
    baselineSeconds: 1,
    recoveredAfterSeconds: 1,
    load: { ...s.load, ratePerSecond: 50, maxSeconds: 15 },
    ...patch,
  };
};

describe('runDrill', () => {
  it('injects, detects the burn from its own samples, reverts, and measures the recovery after the revert', async () => {
    const { target, calls } = fakeTarget();
    const record = await runDrill(quick('error-fault'), target, { minFaultSeconds: 1, burnWindowSeconds: 1 });
    expect(calls).toEqual(['inject fault', 'revert fault']);
    expect(record.passed, renderRecord(record)).toBe(true);
    const kinds = record.events.map((e) => e.kind);
    for (const kind of ['injected', 'first-failed-request', 'detected', 'mitigated', 'recovered', 'load-stopped']) {
      expect(kinds).toContain(kind);
    }
    const at = (kind: string) => record.events.find((e) => e.kind === kind)?.at ?? Number.NaN;
    expect(at('detected')).toBeGreaterThanOrEqual(at('injected'));
    expect(at('recovered')).toBeGreaterThanOrEqual(at('mitigated'));
    const m = record.measurements;
    expect(m.failedRequests).toBeGreaterThan(0);
    expect(m.timeToRecoverMs).toBeGreaterThanOrEqual(m.timeToMitigateMs ?? Number.POSITIVE_INFINITY);
    expect(record.load.reduce((n, s) => n + s.failed, 0)).toBe(m.failedRequests);
  }, 20_000);

  it('waits for the orchestrator to move the instance (automatic-reschedule), asking for instance-moved, and reverts only after', async () => {
    const { target, calls } = fakeTarget();
    let injectedAt = 0;
    let moved = false;
    const asked: string[] = [];
    const moving: DrillTarget = {
      ...target,
      // Requests fail from the injection until the move, whatever the revert does.
      send: async () => ({ status: injectedAt > 0 && !moved ? 502 : 200, ms: 2 }),
      inject: async (i) => {
        injectedAt = Date.now();
        await target.inject(i);
      },
      observe: async (signal) => {
        asked.push(signal.kind);
        if (signal.kind !== 'instance-moved' || Date.now() - injectedAt < 1500) return undefined;
        moved = true;
        return 'api-3 on n2 ready';
      },
    };
    const record = await runDrill(quick('orch-agent-kill', { invariants: [] }), moving, { minFaultSeconds: 1 });
    expect(record.passed, renderRecord(record)).toBe(true);
    expect(asked).toContain('instance-moved');
    expect(asked).not.toContain('restarts');
    const mitigated = record.events.find((e) => e.kind === 'mitigated');
    expect(mitigated?.detail).toBe('automatic: api-3 on n2 ready');
    expect((mitigated?.at ?? 0) - injectedAt).toBeGreaterThanOrEqual(1500);
    // The drill's own revert (the node restored) runs once, after the platform mitigated by itself.
    expect(calls).toEqual(['inject orchestrator', 'revert orchestrator']);
  }, 20_000);

  it('reports an invariant broken by the fault and the run as failed', async () => {
    const { target } = fakeTarget();
    const record = await runDrill(quick('redis-down'), target, { minFaultSeconds: 1, maxFaultSeconds: 2 });
    expect(record.invariants).toEqual([expect.objectContaining({ held: false })]);
    expect(record.passed).toBe(false);
    expect(renderPostmortem(quick('redis-down'), record)).toContain('Invariant BROKEN: no-server-errors');
  }, 20_000);

  it('refuses to inject when the baseline already fails, and then has nothing to revert', async () => {
    const { target, calls } = fakeTarget({ failBaseline: true });
    await expect(runDrill(quick('error-fault'), target)).rejects.toThrow(/baseline not clean/);
    expect(calls).toEqual([]);
  }, 20_000);

  it('holds the revert until a blind player answered, and times the diagnosis', async () => {
    const { target } = fakeTarget();
    const record = await runDrill(quick('error-fault'), target, {
      minFaultSeconds: 0,
      burnWindowSeconds: 1,
      askDiagnosis: () => new Promise((resolve) => setTimeout(() => resolve('half the calls answer 500'), 1500)),
    });
    expect(record.blind).toMatchObject({ answer: 'half the calls answer 500', correct: true });
    expect(record.blind?.timeToDiagnoseMs).toBeGreaterThanOrEqual(1400);
    const at = (kind: string) => record.events.find((e) => e.kind === kind)?.at ?? Number.NaN;
    expect(at('mitigated')).toBeGreaterThanOrEqual(at('diagnosed'));
    expect(diagnosisMatches(quick('oom-kill'), 'a DNS problem')).toBe(false);
  }, 20_000);
});

describe('runDrill with alert signals', () => {
  it('puts pending and firing on the timeline when the target sees them, and times them from the injection', async () => {
    const { target } = fakeTarget();
    let injectedAt = 0;
    const seen: AlertState[] = [];
    const alertTarget: DrillTarget = {
      ...target,
      inject: async (i) => {
        injectedAt = Date.now();
        await target.inject(i);
      },
      cannotObserve: () => undefined,
      // Pending 300 ms after the injection, firing 600 ms after: what Prometheus reports, sped up.
      observe: async (signal) => {
        if (signal.kind !== 'alert') return undefined;
        const state = Date.now() - injectedAt >= 600 ? 'firing' : Date.now() - injectedAt >= 300 ? 'pending' : '';
        if (state === '' || (signal.state === 'firing' && state !== 'firing')) return undefined;
        seen.push(signal.state);
        return `Prometheus: ${state}`;
      },
    };
    const alert = pageAlert(apps.gateway.name, 'availability');
    const scenario = quick('error-fault', { expect: [alert, { ...alert, state: 'firing' }] });
    const record = await runDrill(scenario, alertTarget, { minFaultSeconds: 0 });
    expect(record.passed, renderRecord(record)).toBe(true);
    const signalEvents = record.events.filter((e) => e.kind === 'signal').map((e) => e.detail);
    expect(signalEvents).toEqual([
      `alert ${alertSelector(alert)} pending: Prometheus: pending`,
      `alert ${alertSelector(alert)} firing: Prometheus: firing`,
    ]);
    const m = record.measurements;
    expect(m.timeToAlertPendingMs).toBeGreaterThanOrEqual(300);
    expect(m.timeToAlertFiringMs).toBeGreaterThanOrEqual(600);
    expect(m.timeToDetectMs).toBe(m.timeToAlertPendingMs);
  }, 20_000);

  it('leaves an alert the target cannot observe out of the verdict, and says so', async () => {
    const { target } = fakeTarget();
    const scenario = quick('error-fault', { expect: [pageAlert(apps.gateway.name, 'availability')] });
    const record = await runDrill(scenario, target, { minFaultSeconds: 1, maxFaultSeconds: 1 });
    expect(record.passed, renderRecord(record)).toBe(true);
    expect(record.signals).toEqual([expect.objectContaining({ at: undefined, observable: false })]);
    expect(record.measurements.timeToAlertPendingMs).toBeUndefined();
    expect(renderRecord(record)).toContain('not observable (no Prometheus here)');
  }, 20_000);
});

describe('postmortem draft', () => {
  it('has the template sections and the measured numbers, and says what is real', async () => {
    const { target } = fakeTarget();
    const scenario = quick('error-fault');
    const record = await runDrill(scenario, target, { minFaultSeconds: 1, burnWindowSeconds: 1 });
    const text = renderPostmortem(scenario, record);
    // The sections of postmortems/TEMPLATE.md, in its order: the draft and the template a human starts from agree.
    const template = readFileSync(new URL('../../../postmortems/TEMPLATE.md', import.meta.url), 'utf8');
    const sections = template.split('\n').filter((line) => line.startsWith('## '));
    expect(sections).toHaveLength(10);
    expect(text.split('\n').filter((line) => line.startsWith('## '))).toEqual(sections);
    const positions = sections.map((s) => text.indexOf(s));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect(`| failed requests (5xx or no answer) | ${record.measurements.failedRequests} |`).toSatisfy((row: string) =>
      text.includes(row),
    );
    expect(text).toContain('fake target (unit test)');
    expect(text).toContain('Where we got lucky');
    expect(text).toContain(`Real: ${scenario.realism.real.join('; ')}`);
  }, 20_000);
});
