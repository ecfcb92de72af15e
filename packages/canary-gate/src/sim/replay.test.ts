import { canaryGate } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { gateConfigFor } from '../engine/config.ts';
import { faultMatrix } from './fault-matrix.ts';
import { flaggerTutorial, replayFlagger } from './flagger-rule.ts';
import { replayGate } from './replay.ts';
import { trafficStream } from './traffic.ts';

const config = gateConfigFor('api');
const scenario = (name: string) => {
  const found = faultMatrix.find((s) => s.name === name);
  if (!found) throw new Error(name);
  return found;
};
const run = (name: string, replays: number) =>
  Array.from({ length: replays }, (_, i) => replayGate(config, scenario(name), i + 1, canaryGate.evaluationSeconds));

describe('seeded replays of whole rollouts (20 req/s, 10 % first stage)', () => {
  it('draws the same requests for every consumer of a seed; only the routing follows the weight', () => {
    const a = trafficStream(scenario('errors 5 %'), 7);
    const b = trafficStream(scenario('errors 5 %'), 7);
    for (let t = 0; t < 50; t++) {
      const x = a.next(10);
      const y = b.next(50);
      expect(x.canary.requests + x.stable.requests).toBe(y.canary.requests + y.stable.requests);
    }
  });

  it('rolls back a healthy canary (at the SLO edge) in at most 2 % of rollouts, family-wise', () => {
    const outcomes = run('errors 0.1 %', 300);
    const rolledBack = outcomes.filter((o) => o.decision === 'rollback').length;
    expect(rolledBack / outcomes.length).toBeLessThanOrEqual(0.02);
    expect(outcomes.filter((o) => o.decision === 'promote').length).toBeGreaterThan(0.9 * outcomes.length);
  });

  it('catches 1.44 % errors (the fast-page burn) in >= 95 % of rollouts', () => {
    const outcomes = run('errors 1.44 %', 200);
    const caught = outcomes.filter((o) => o.decision === 'rollback' && o.reason === 'regression').length;
    expect(caught / outcomes.length).toBeGreaterThanOrEqual(0.95);
  });

  it('never rolls back a canary without traffic as a regression', () => {
    const outcomes = run('no traffic', 20);
    expect(outcomes.every((o) => o.decision === 'rollback' && o.reason === 'insufficient evidence')).toBe(true);
  });

  it('does not blame the canary for a shared outage; the Flagger rule on the same counts does', () => {
    const gate = run('shared outage 5 %', 50);
    expect(gate.every((o) => o.reason !== 'regression')).toBe(true);
    expect(gate.every((o) => o.alerted)).toBe(true);
    const flagger = Array.from({ length: 50 }, (_, i) =>
      replayFlagger(flaggerTutorial, scenario('shared outage 5 %'), i + 1),
    );
    expect(flagger.every((o) => o.decision === 'rollback')).toBe(true);
  });
});
