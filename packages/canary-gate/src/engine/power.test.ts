import { canaryGate } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { gateConfigFor } from './config.ts';
import { decisionPlan, expectedRequestsToPass } from './power.ts';
import { sprtBounds } from './sprt.ts';

const config = gateConfigFor('api');
const options = {
  targetDecisionSeconds: canaryGate.synthetic.targetDecisionSeconds,
  maxSyntheticRps: canaryGate.synthetic.maxRps,
  evaluationSeconds: canaryGate.evaluationSeconds,
};

describe('power analysis', () => {
  it("uses Wald's average sample number: about 221 clean requests pass Test A at a 99.9 % SLO", () => {
    const bounds = sprtBounds(0.999, 14.4, 0.005, 0.05);
    expect(expectedRequestsToPass(bounds, 0)).toBeCloseTo(221, -1);
    // More at the SLO's edge; never inside the indifference zone.
    expect(expectedRequestsToPass(bounds, 0.001)).toBeGreaterThan(250);
    expect(expectedRequestsToPass(bounds, 0.01)).toBe(Number.POSITIVE_INFINITY);
  });

  it('asks for synthetic traffic when real traffic is too low, and says the expected time up front', () => {
    const low = decisionPlan(config, 2, options);
    expect(low.expectedSeconds).toBeGreaterThan(options.targetDecisionSeconds);
    expect(low.syntheticRps).toBeGreaterThan(0);
    expect(low.expectedSecondsWithSynthetic).toBeLessThanOrEqual(options.targetDecisionSeconds);
    expect(low.text).toMatch(/at 2\.0 req\/s the decision is expected in \d+ s; .* only with \d+ req\/s of synthetic/);
    const high = decisionPlan(config, 200, options);
    expect(high.syntheticRps).toBe(0);
    expect(high.text).toMatch(/within the 240 s target/);
  });

  it('never asks for more than the cap, and names silence as never deciding', () => {
    const none = decisionPlan(config, 0, options);
    expect(none.syntheticRps).toBeLessThanOrEqual(options.maxSyntheticRps);
    expect(none.text).toMatch(/never \(no traffic\)/);
    expect(decisionPlan(config, 0, { ...options, maxSyntheticRps: 3 }).syntheticRps).toBe(3);
  });

  it('plans the tight test before the last stage: that stage needs the most canary requests', () => {
    const plan = decisionPlan(config, 20, options);
    expect(plan.stages.map((s) => s.weight)).toEqual([20, 50, 100]);
    expect(plan.stages[1]?.requests).toBeGreaterThan(plan.stages[0]?.requests ?? 0);
  });
});
