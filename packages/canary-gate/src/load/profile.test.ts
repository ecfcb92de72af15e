import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apps } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { k6ProfileJson, loadProfiles, sloThresholds } from './profile.ts';

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
});
