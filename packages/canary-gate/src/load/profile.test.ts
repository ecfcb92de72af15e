import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appNames, apps, canaryGate } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { gateConfigFor } from '../engine/config.ts';
import { decisionPlan } from '../engine/power.ts';
import { k6ProfileJson, loadProfiles, sloThresholds, syntheticProfileFor } from './profile.ts';

describe('the load profile, declared once', () => {
  it('is what the k6 scripts read (k6/profile.json is regenerated, not hand-edited)', () => {
    // Compared as data: the formatter may re-wrap the committed file.
    const committed = JSON.parse(readFileSync(join(import.meta.dirname, '../../k6/profile.json'), 'utf8'));
    expect(committed, 'run: node packages/canary-gate/k6/write-profile.ts').toEqual(JSON.parse(k6ProfileJson()));
  });

  it('takes its thresholds from the gateway SLOs', () => {
    const t = sloThresholds();
    expect(t.durationMsBelow).toBe((apps.gateway.slos.find((s) => s.kind === 'latency')?.thresholdSeconds ?? 0) * 1000);
    expect(t.failedRateBelow).toBeCloseTo(
      1 - (apps.gateway.slos.find((s) => s.kind === 'availability')?.objective ?? 0),
    );
    expect(JSON.parse(k6ProfileJson()).thresholds.http_req_duration).toEqual([
      `p(${t.percentile})<${t.durationMsBelow}`,
    ]);
  });

  it('keeps the canary load under the gateway limit per identity, so the test measures the app', () => {
    expect(loadProfiles.canary.rps).toBeLessThan(50);
  });

  it("gives every app's canary at zero real traffic the rate its power plan asks for, under the caps", () => {
    for (const app of appNames) {
      const options = {
        targetDecisionSeconds: canaryGate.synthetic.targetDecisionSeconds,
        maxSyntheticRps: canaryGate.synthetic.maxRps,
        evaluationSeconds: canaryGate.evaluationSeconds,
      };
      const plan = decisionPlan(gateConfigFor(app), 0, options);
      const profile = syntheticProfileFor(app);
      expect(profile.rps, app).toBeGreaterThanOrEqual(plan.requiredRps);
      expect(profile.rps, app).toBeLessThanOrEqual(canaryGate.synthetic.maxRps);
      // The workflow's k6 runs the profile's rate: at that rate alone the decision must come within the target.
      expect(decisionPlan(gateConfigFor(app), profile.rps, options).expectedSeconds, app).toBeLessThanOrEqual(
        canaryGate.synthetic.targetDecisionSeconds,
      );
    }
  });

  it("sends web's canary evidence to web itself: tagged reads of the load-test identity's page", () => {
    const web = syntheticProfileFor('web');
    expect(web.path).toBe('/notes');
    expect(web.signIn).toEqual({ path: '/signin', username: canaryGate.synthetic.identity });
    expect(web.headers).toEqual({ [canaryGate.synthetic.header]: canaryGate.synthetic.value });
    // The api and the gateway are reached through the gateway's notes route with the load-test API key.
    for (const app of ['api', 'gateway'] as const) expect(syntheticProfileFor(app).path).toBe('/v1/notes');
    expect(JSON.parse(k6ProfileJson()).profiles['synthetic-web'].signIn.username).toBe(canaryGate.synthetic.identity);
  });
});
