import { canaryGate } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { gateConfigFor } from '../engine/config.ts';
import { decisionPlan } from '../engine/power.ts';
import { syntheticProfileFor } from '../load/profile.ts';
import { faultCells, scenarioAt } from './fault-matrix.ts';
import { flaggerTutorial, replayFlagger } from './flagger-rule.ts';
import { replayGate } from './replay.ts';
import { binomial, seededRandom, trafficStream } from './traffic.ts';

const config = gateConfigFor('api');
const planFor = (rps: number, gate = config) =>
  decisionPlan(gate, rps, {
    targetDecisionSeconds: canaryGate.synthetic.targetDecisionSeconds,
    maxSyntheticRps: canaryGate.synthetic.maxRps,
    evaluationSeconds: canaryGate.evaluationSeconds,
  });
const cell = (name: string) => {
  const found = faultCells.find((c) => c.name === name);
  if (!found) throw new Error(name);
  return found;
};
/** Seeds 1..replays (fixed: the same outcomes on every run) of one cell, with the plan's synthetic traffic. */
const run = (name: string, replays: number, rps = 20, gate = config, syntheticRps = planFor(rps, gate).syntheticRps) =>
  Array.from({ length: replays }, (_, i) =>
    replayGate(
      gate,
      scenarioAt(cell(name), rps, syntheticRps),
      i + 1,
      canaryGate.evaluationSeconds,
      canaryGate.baselineSeconds,
    ),
  );
const share = <T>(xs: readonly T[], f: (x: T) => boolean) => xs.filter(f).length / xs.length;

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

  // Issue 18's goals at its bounds, at the lowest, a homelab and the highest rate (200 fixed seeds a cell; the
  // bench runs 1,000 at every rate): healthy promoted >= 98 % within 15 min, rolled back <= 1 %, the shared-outage
  // alert on a healthy rollout <= 1 %; shared outage and bad stable blame the canary <= 1 %; hotfix >= 95 %.
  const healthy = ['errors 0 %', 'errors 0.1 %', 'slow 1 %'];
  const notItsFault = [
    'shared outage 1.5 %',
    'shared outage 2 %',
    'shared outage 3 %',
    'bad stable 3 %, canary 1.44 %',
  ];
  for (const rps of [0.5, 2, 200]) {
    it(`promotes healthy canaries at ${rps} req/s within 15 min, with no false rollback or shared-outage alert`, () => {
      for (const name of healthy) {
        const outcomes = run(name, 200, rps);
        expect(
          share(outcomes, (o) => o.decision === 'promote' && o.seconds <= 900),
          name,
        ).toBeGreaterThanOrEqual(0.98);
        expect(
          share(outcomes, (o) => o.decision === 'rollback'),
          name,
        ).toBeLessThanOrEqual(0.01);
        expect(
          share(outcomes, (o) => o.alerted),
          name,
        ).toBeLessThanOrEqual(0.01);
      }
    });

    it(`blames the canary <= 1 % for a shared outage or a bad stable at ${rps} req/s, and promotes the hotfix`, () => {
      for (const name of notItsFault) {
        const outcomes = run(name, 200, rps);
        expect(
          share(outcomes, (o) => o.decision === 'rollback' && o.reason === 'regression'),
          name,
        ).toBeLessThanOrEqual(0.01);
      }
      const hotfix = run('hotfix: stable 3 %, canary 0.1 %', 200, rps);
      expect(share(hotfix, (o) => o.decision === 'promote')).toBeGreaterThanOrEqual(0.95);
    });
  }

  it('without the synthetic traffic, holds a healthy canary at 0.5 req/s for the operator: never a rollback', () => {
    const outcomes = run('errors 0.1 %', 50, 0.5, config, 0);
    expect(outcomes.every((o) => o.decision === 'held')).toBe(true);
  });

  it("decides a web canary at 2 req/s on web's own synthetic profile (its SLOs, its plan)", () => {
    const web = gateConfigFor('web');
    // The workflow's k6 runs the profile's rate whatever the plan prints; the gate must decide on it.
    const promoted = run('errors 0.1 %', 100, 2, web, syntheticProfileFor('web').rps);
    expect(share(promoted, (o) => o.decision === 'promote' && o.seconds <= 900)).toBeGreaterThanOrEqual(0.98);
    const caught = run('errors 1.44 %', 100, 2, web, syntheticProfileFor('web').rps);
    expect(share(caught, (o) => o.decision === 'rollback' && o.reason === 'regression')).toBeGreaterThanOrEqual(0.95);
    // Without it (WEB_PASSWORD unset, the load never signed in): held for the operator, never rolled back.
    const alone = run('errors 0.1 %', 20, 2, web, 0);
    expect(alone.every((o) => o.decision !== 'rollback')).toBe(true);
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
    expect(share(gate, (o) => o.decision === 'rollback')).toBeLessThanOrEqual(0.01);
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
