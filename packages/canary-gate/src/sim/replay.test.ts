import { canaryGate } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { gateConfigFor } from '../engine/config.ts';
import { decisionPlan } from '../engine/power.ts';
import { faultCells, scenarioAt } from './fault-matrix.ts';
import { flaggerTutorial, replayFlagger } from './flagger-rule.ts';
import { replayGate } from './replay.ts';
import { binomial, seededRandom, trafficStream } from './traffic.ts';

const config = gateConfigFor('api');
const cell = (name: string) => {
  const found = faultCells.find((c) => c.name === name);
  if (!found) throw new Error(name);
  return found;
};
const synthetic = (rps: number) =>
  decisionPlan(config, rps, {
    targetDecisionSeconds: canaryGate.synthetic.targetDecisionSeconds,
    maxSyntheticRps: canaryGate.synthetic.maxRps,
    evaluationSeconds: canaryGate.evaluationSeconds,
  }).syntheticRps;
const run = (name: string, replays: number, rps = 20) =>
  Array.from({ length: replays }, (_, i) =>
    replayGate(
      config,
      scenarioAt(cell(name), rps, synthetic(rps)),
      i + 1,
      canaryGate.evaluationSeconds,
      canaryGate.baselineSeconds,
    ),
  );
const share = (
  xs: readonly { decision: string; reason?: string | undefined }[],
  f: (x: (typeof xs)[number]) => boolean,
) => xs.filter(f).length / xs.length;

describe('seeded replays of whole rollouts', () => {
  it('draws the same arrivals for every consumer of a seed; only the split follows the weight', () => {
    const a = trafficStream({ ...cell('errors 5 %'), rps: 20 }, 7);
    const b = trafficStream({ ...cell('errors 5 %'), rps: 20 }, 7);
    const x = a.next(10, 5);
    const y = b.next(50, 5);
    expect(x.canary.requests + x.stable.requests).toBe(y.canary.requests + y.stable.requests);
  });

  it('draws binomial counts with the right mean, small and large', () => {
    const random = seededRandom(3);
    const mean = (n: number, p: number) => {
      let sum = 0;
      for (let i = 0; i < 4000; i++) sum += binomial(random, n, p);
      return sum / 4000;
    };
    expect(mean(100, 0.01)).toBeCloseTo(1, 0);
    expect(mean(1000, 0.2)).toBeGreaterThan(195);
    expect(mean(1000, 0.2)).toBeLessThan(205);
    expect(mean(10, 0.9)).toBeCloseTo(9, 0);
  });

  it('promotes a healthy canary at 2 req/s (with the synthetic traffic the plan asks for) within 15 min', () => {
    const outcomes = run('errors 0.1 %', 200, 2);
    expect(share(outcomes, (o) => o.decision === 'promote')).toBeGreaterThanOrEqual(0.97);
    expect(share(outcomes, (o) => o.decision === 'rollback')).toBeLessThanOrEqual(0.02);
  });

  it('catches 1.44 % errors (the fast-page burn) as a regression in >= 95 % of rollouts at 2 req/s', () => {
    const outcomes = run('errors 1.44 %', 200, 2);
    expect(share(outcomes, (o) => o.decision === 'rollback' && o.reason === 'regression')).toBeGreaterThanOrEqual(0.95);
  });

  it('never rolls back a canary without traffic: it is held for the operator', () => {
    const outcomes = run('no traffic', 20);
    expect(outcomes.every((o) => o.decision === 'held' && o.reason === 'insufficient evidence')).toBe(true);
  });

  it('does not blame the canary for a shared outage; the Flagger rule on the same counts does', () => {
    const gate = run('shared outage 2 %', 100);
    expect(share(gate, (o) => o.decision === 'rollback')).toBeLessThanOrEqual(0.02);
    expect(gate.filter((o) => o.alerted).length).toBeGreaterThan(90);
    const flagger = Array.from({ length: 50 }, (_, i) =>
      replayFlagger(flaggerTutorial, scenarioAt(cell('shared outage 2 %'), 20, 0), i + 1),
    );
    expect(flagger.every((o) => o.decision === 'rollback')).toBe(true);
  });

  it('promotes the hotfix (stable at 3 %, canary healthy) and says why', () => {
    const outcomes = run('hotfix: stable 3 %, canary 0.1 %', 100);
    expect(share(outcomes, (o) => o.decision === 'promote')).toBeGreaterThanOrEqual(0.95);
    expect(outcomes.find((o) => o.decision === 'promote')?.detail).toMatch(/stable was failing its SLO/);
  });
});
