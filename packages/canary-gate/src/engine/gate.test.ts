import { describe, expect, it } from 'vitest';
import { gateConfigFor } from './config.ts';
import type { Counts } from './counts.ts';
import { currentWeight, type Decision, type GateState, type Observation, startGate, step } from './gate.ts';

const config = gateConfigFor('api');
const counts = (requests: number, errors = 0, slow = 0): Counts => ({ requests, errors, slow });

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
    expect(config.stages.map((s) => s.weight)).toEqual([10, 50, 100]);
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

  it('holds on no traffic and never calls silence a regression: the deadline ends it as insufficient evidence', () => {
    const state = startGate(config);
    const decisions = feed(state, 200, counts(0), counts(20));
    const final = decisions.at(-1);
    expect(decisions.slice(0, 100).every((d) => d.kind === 'hold' && d.reason === 'no data')).toBe(true);
    expect(final).toMatchObject({ kind: 'rollback', reason: 'insufficient evidence' });
    expect(decisions.findIndex((d) => d.kind === 'rollback')).toBe(600 / 5 - 1);
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
    const state = startGate(config);
    feed(state, 1, counts(10), counts(90));
    // Three errors in ten requests are far over Test A's bound, but could be one start-up hiccup retried.
    const early = feed(state, 1, counts(10, 3), counts(90), 5);
    expect(early[0]?.kind).toBe('hold');
    const later = feed(state, 4, counts(10), counts(90), 10);
    expect(later.at(-1)).toMatchObject({ kind: 'rollback', reason: 'regression' });
  });

  it('rolls back early on five bad events even before 50 requests', () => {
    const state = startGate(config);
    feed(state, 1, counts(10), counts(90));
    expect(feed(state, 1, counts(10, 5), counts(90), 5)[0]).toMatchObject({ kind: 'rollback', reason: 'regression' });
  });

  it('advances 10 -> 50 -> 100 and promotes a clean canary; the weight follows', () => {
    const state = startGate(config);
    const seen: number[] = [currentWeight(config, state)];
    let last: Decision | undefined;
    for (let k = 1; k <= 200 && last?.kind !== 'promote'; k++) {
      const w = currentWeight(config, state) / 100;
      last = step(config, state, { at: 5 * k, seconds: 5, canary: counts(100 * w), stable: counts(100 * (1 - w)) });
      if (last.kind === 'advance') seen.push(last.weight);
    }
    expect(seen).toEqual([10, 50, 100]);
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
    expect(() => gateConfigFor('api', { stagePassMaxRelativeLogEvidence: Math.log(1 / config.alpha) })).toThrow(
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
    const state = startGate(config);
    feed(state, 1, counts(10), counts(90));
    const rolledBack = feed(state, 1, counts(10, 10), counts(90), 5)[0];
    expect(rolledBack?.kind).toBe('rollback');
    expect(feed(state, 5, counts(100), counts(0), 10).every((d) => d === rolledBack)).toBe(true);
    expect(currentWeight(config, state)).toBe(0);
  });
});
