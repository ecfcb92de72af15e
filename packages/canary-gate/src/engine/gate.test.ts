import { describe, expect, it } from 'vitest';
import { type GateConfig, gateConfigFor } from './config.ts';
import type { Counts } from './counts.ts';
import { currentWeight, type Decision, type GateState, type Observation, startGate, step } from './gate.ts';

const config = gateConfigFor('api');
const counts = (requests: number, errors = 0, slow = 0): Counts => ({ requests, errors, slow });
/** Stable's clean pre-rollout baseline: enough requests for Test A to blame the canary on its own. */
const cleanBaseline = counts(config.minStableRequestsForBlame);

/** Feeds `intervals` identical 5 s intervals starting after `from` seconds; returns every decision. */
function feed(state: GateState, intervals: number, canary: Counts, stable: Counts, from = 0): Decision[] {
  const out: Decision[] = [];
  for (let k = 1; k <= intervals; k++) {
    const obs: Observation = { at: from + 5 * k, seconds: 5, canary, stable };
    out.push(step(config, state, obs));
  }
  return out;
}

describe('the gate', () => {
  it('takes its stages, SLOs and alpha/beta from packages/platform', () => {
    expect(config.stages.map((s) => s.weight)).toEqual([20, 50, 100]);
    expect(config.objectives).toEqual({ errors: 0.999, slow: 0.99 });
    expect(config.latencyThresholdSeconds).toBe(0.25);
  });

  it('stops on an invalid plan, naming the field', () => {
    expect(() =>
      gateConfigFor('api', {
        stages: [
          { weight: 50, deadlineSeconds: 60 },
          { weight: 10, deadlineSeconds: 60 },
        ],
      }),
    ).toThrow(/canaryGate.stages\[1\].weight/);
    expect(() => gateConfigFor('api', { alpha: 0 })).toThrow(/canaryGate.alpha/);
  });

  it('holds on no traffic and never calls silence a regression: the deadline ends it held, not rolled back', () => {
    const state = startGate(config);
    const decisions = feed(state, 200, counts(0), counts(20));
    const final = decisions.at(-1);
    expect(decisions.slice(0, 100).every((d) => d.kind === 'hold' && d.reason === 'no data')).toBe(true);
    expect(final).toMatchObject({ kind: 'held', reason: 'insufficient evidence' });
    expect(final?.detail).toMatch(/0 canary requests in this stage/);
    expect(decisions.findIndex((d) => d.kind === 'held')).toBe(600 / 5 - 1);
    expect(currentWeight(config, state)).toBe(0);
  });

  it('extends a deadline while evidence arrives, and says how much arrived, never "no data" (issue 18)', () => {
    // 120 clean canary requests, then silence in the last interval before the deadline: not enough to pass.
    const small = gateConfigFor('api', { stages: [{ weight: 20, deadlineSeconds: 60 }], maxRolloutSeconds: 120 });
    const state = startGate(small, cleanBaseline);
    let last: Decision | undefined;
    for (let k = 1; k <= 11; k++) {
      last = step(small, state, { at: 5 * k, seconds: 5, canary: counts(k === 1 ? 0 : 12), stable: counts(48) });
    }
    last = step(small, state, { at: 60, seconds: 5, canary: counts(0), stable: counts(48) });
    expect(last).toMatchObject({ kind: 'hold', reason: 'extended' });
    expect(last.detail).toMatch(/108 canary requests in this stage \(0 errors, 0 slow\)/);
    expect(last.detail).toMatch(/the last interval had no canary requests/);
    expect(last.detail).not.toMatch(/\(no data\)$/);
    // At the rollout's limit without a verdict: held for the operator, not a rollback.
    for (let at = 65; at <= 120; at += 5) {
      last = step(small, state, { at, seconds: 5, canary: counts(1), stable: counts(48) });
    }
    expect(last).toMatchObject({ kind: 'held', reason: 'insufficient evidence' });
    expect(last.detail).toMatch(/reached its 120 s limit without a verdict .* after \d+ canary requests/);
    // The `hold` policy asks the operator at the first deadline instead.
    const holdPolicy = gateConfigFor('api', { stages: [{ weight: 20, deadlineSeconds: 60 }], deadlinePolicy: 'hold' });
    const other = startGate(holdPolicy, cleanBaseline);
    let d: Decision | undefined;
    for (let k = 1; k <= 12; k++)
      d = step(holdPolicy, other, { at: 5 * k, seconds: 5, canary: counts(10), stable: counts(40) });
    expect(d).toMatchObject({ kind: 'held' });
  });

  it('skips the warm-up: errors in the first seconds of canary traffic count for nothing', () => {
    const state = startGate(config);
    expect(feed(state, 1, counts(10, 10), counts(90))[0]).toMatchObject({ kind: 'hold', reason: 'warm-up' });
    expect(state.canaryTotal.requests).toBe(0);
  });

  it('skips a warm-up again after each weight increase: a slow burst while the canary grows is not evidence', () => {
    const state = startGate(config);
    let k = 0;
    let decision: Decision | undefined;
    while (decision?.kind !== 'advance') {
      k++;
      decision = step(config, state, { at: 5 * k, seconds: 5, canary: counts(20), stable: counts(180) });
    }
    const before = { ...state.canaryTotal };
    // Half the canary's requests slow right after the step to 50 %: skipped, not a rollback.
    const burst = step(config, state, { at: 5 * (k + 1), seconds: 5, canary: counts(100, 0, 50), stable: counts(100) });
    expect(burst).toMatchObject({ kind: 'hold', reason: 'warm-up' });
    expect(state.canaryTotal).toEqual(before);
    // The same burst after the warm-up is a regression.
    expect(
      step(config, state, { at: 5 * (k + 2), seconds: 5, canary: counts(100, 0, 50), stable: counts(100) }),
    ).toMatchObject({
      kind: 'rollback',
      reason: 'regression',
    });
  });

  it('does not roll back on two errors in the first requests (n >= 50 unless b >= 5), but does once n reaches 50', () => {
    const state = startGate(config, cleanBaseline);
    feed(state, 1, counts(10), counts(90));
    // Three errors in ten requests are far over Test A's bound, but could be one start-up hiccup retried.
    const early = feed(state, 1, counts(10, 3), counts(90), 5);
    expect(early[0]?.kind).toBe('hold');
    const later = feed(state, 4, counts(10), counts(90), 10);
    expect(later.at(-1)).toMatchObject({ kind: 'rollback', reason: 'regression' });
  });

  it('rolls back early on five bad events even before 50 requests', () => {
    const state = startGate(config, cleanBaseline);
    feed(state, 1, counts(10), counts(90));
    expect(feed(state, 1, counts(10, 5), counts(90), 5)[0]).toMatchObject({ kind: 'rollback', reason: 'regression' });
  });

  it('advances 20 -> 50 -> 100 and promotes a clean canary; the weight follows', () => {
    const state = startGate(config);
    const seen: number[] = [currentWeight(config, state)];
    let last: Decision | undefined;
    for (let k = 1; k <= 200 && last?.kind !== 'promote'; k++) {
      const w = currentWeight(config, state) / 100;
      last = step(config, state, { at: 5 * k, seconds: 5, canary: counts(100 * w), stable: counts(100 * (1 - w)) });
      if (last.kind === 'advance') seen.push(last.weight);
    }
    expect(seen).toEqual([20, 50, 100]);
    expect(last?.kind).toBe('promote');
    expect(currentWeight(config, state)).toBe(100);
  });

  it('blames the canary relative to stable (Test B) when stable has no errors at all', () => {
    const state = startGate(config);
    feed(state, 1, counts(10), counts(90));
    const decisions = feed(state, 10, counts(10, 1), counts(90, 0), 5);
    const rollback = decisions.find((d) => d.kind === 'rollback');
    expect(rollback).toMatchObject({ kind: 'rollback', reason: 'regression' });
    expect(rollback?.detail).toMatch(/^Test B/);
  });

  it('does not pass a stage while Test B is gathering evidence against the canary (Test A alone would pass it)', () => {
    const state = startGate(config);
    feed(state, 1, counts(10), counts(90));
    // 3 errors in 1000 sit in Test A's indifference zone and end below its lower bound, but stable has none:
    // Test B's E is about 43, over sqrt(1/alpha) and under 1/alpha. Before the rule this advanced to 50 %.
    const [d] = feed(state, 1, counts(1000, 3), counts(9000, 0), 5);
    expect(d).toMatchObject({ kind: 'hold', reason: 'collecting' });
    expect(state.stage).toBe(0);
    // Clean canary traffic while stable keeps its usual errors brings E back down, and then the stage passes.
    const later = feed(state, 20, counts(1000, 0), counts(9000, 9), 10);
    expect(later.some((x) => x.kind === 'advance')).toBe(true);
  });

  it('stops on a stage-pass bar that is not under the rollback threshold, naming the field', () => {
    expect(() => gateConfigFor('api', { stagePassMaxRelativeLogEvidence: Math.log(1 / config.relativeAlpha) })).toThrow(
      /canaryGate.stagePassMaxRelativeLogEvidence/,
    );
  });

  it('holds and alerts on a shared outage instead of blaming the canary', () => {
    const state = startGate(config);
    const decisions = feed(state, 20, counts(10, 1), counts(90, 9));
    expect(decisions.some((d) => d.kind === 'rollback')).toBe(false);
    expect(decisions.at(-1)).toMatchObject({ kind: 'hold', reason: 'shared outage', alert: true });
  });

  it('keeps a final decision whatever comes after', () => {
    const state = startGate(config, cleanBaseline);
    feed(state, 1, counts(10), counts(90));
    const rolledBack = feed(state, 1, counts(10, 10), counts(90), 5)[0];
    expect(rolledBack?.kind).toBe('rollback');
    expect(feed(state, 5, counts(100), counts(0), 10).every((d) => d === rolledBack)).toBe(true);
    expect(currentWeight(config, state)).toBe(0);
  });

  it('never calls a canary no worse than a failing stable a regression; the override promotes it', () => {
    const outage = (c: GateConfig) => {
      const state = startGate(c, counts(2000, 60));
      let last: Decision | undefined;
      for (let k = 1; k <= 130 && !state.final; k++) {
        const w = currentWeight(c, state) / 100;
        last = step(c, state, {
          at: 5 * k,
          seconds: 5,
          canary: counts(100 * w, 3 * w),
          stable: counts(100 * (1 - w), 3 * (1 - w)),
        });
        expect(last.kind === 'rollback').toBe(false);
      }
      return last;
    };
    const held = outage(config);
    expect(held).toMatchObject({ kind: 'held', reason: 'shared outage' });
    const overridden = outage(gateConfigFor('api', { promoteIfNoWorse: true }));
    expect(overridden).toMatchObject({ kind: 'promote' });
    expect(overridden?.detail).toMatch(/operator override \(promote-if-no-worse\)/);
  });

  it('still blames a canary worse than a failing stable (Test B)', () => {
    const state = startGate(config, counts(2000, 60));
    const decisions = feed(state, 60, counts(20, 4), counts(80, 2));
    expect(decisions.find((d) => d.kind === 'rollback')).toMatchObject({ reason: 'regression', detail: /^Test B/ });
  });

  it('promotes the hotfix: a canary meeting the SLO while stable fails it, and says so in the record', () => {
    const state = startGate(config, counts(2000, 60));
    let last: Decision | undefined;
    for (let k = 1; k <= 200 && !state.final; k++) {
      const w = currentWeight(config, state) / 100;
      last = step(config, state, {
        at: 5 * k,
        seconds: 5,
        canary: counts(100 * w),
        stable: counts(100 * (1 - w), 3 * (1 - w)),
      });
    }
    expect(last).toMatchObject({ kind: 'promote' });
    expect(last?.detail).toMatch(/stable was failing its SLO \(errors: 3\.\d+ %\) while the canary met it/);
  });

  it('waits for stable to be clean before Test A blames: a canary unlucky in an outage stable shares is held', () => {
    const state = startGate(config, cleanBaseline);
    feed(state, 1, counts(20), counts(80));
    // Stable had a bad event just now (its CUSUM is over half a bad event) and the canary crossed Test A.
    const [d] = feed(state, 1, counts(60, 4), counts(80, 1), 5);
    expect(d).toMatchObject({ kind: 'hold', reason: 'collecting' });
    expect(d?.detail).toMatch(/Test A blames once stable is clean/);
    // Stable clean again (its CUSUM drifts down on good requests): the canary's own evidence blames it.
    const later = feed(state, 10, counts(20), counts(80), 10);
    expect(later.find((x) => x.kind === 'rollback')).toMatchObject({ reason: 'regression', detail: /^Test A/ });
  });

  it('does not let a slow burn (0.5 % errors, 5x the budget) take the last stage: Test A at p1 = 5 x p0', () => {
    const state = startGate(config, cleanBaseline);
    let last: Decision | undefined;
    // Exactly one error per 200 canary requests: Test A at the paging rate passes stage 1, the tight one does not.
    for (let k = 1; k <= 400 && !state.final; k++) {
      const w = currentWeight(config, state) / 100;
      const n = 200 * w;
      last = step(config, state, { at: 5 * k, seconds: 5, canary: counts(n, n / 200), stable: counts(200 - n) });
      expect(currentWeight(config, state)).toBeLessThan(100);
    }
    expect(last).toMatchObject({ kind: 'rollback', reason: 'regression' });
  });

  it('catches a canary at 2x the slow budget (2 % slow against 1 %) before it takes all the traffic', () => {
    const state = startGate(config, cleanBaseline);
    let last: Decision | undefined;
    for (let k = 1; k <= 400 && !state.final; k++) {
      const w = currentWeight(config, state) / 100;
      const n = 100 * w;
      last = step(config, state, {
        at: 5 * k,
        seconds: 5,
        canary: counts(n, 0, n / 50),
        stable: counts(100 - n, 0, (100 - n) / 100),
      });
    }
    expect(last).toMatchObject({ kind: 'rollback', reason: 'regression' });
    expect(last?.detail).toMatch(/slow/);
  });
});
