import { describe, expect, it } from 'vitest';
import { poisson, seededRandom } from '../sim/traffic.ts';
import { mixtureLogEvidence, mixtureStart, mixtureUpdate } from './mixture.ts';

const ratios = [1.5, 2, 3, 5, 10];

describe('Test B (mixture e-value relative to stable)', () => {
  it('starts at E = 1 and ignores intervals without requests on either side or without bad events', () => {
    let s = mixtureStart(ratios);
    expect(mixtureLogEvidence(s)).toBe(0);
    s = mixtureUpdate(s, ratios, { requests: 0, bad: 0 }, { requests: 100, bad: 3 });
    s = mixtureUpdate(s, ratios, { requests: 10, bad: 2 }, { requests: 0, bad: 0 });
    s = mixtureUpdate(s, ratios, { requests: 10, bad: 0 }, { requests: 90, bad: 0 });
    expect(mixtureLogEvidence(s)).toBe(0);
  });

  it('grows when the canary takes more than its share of bad events, even when stable has none', () => {
    let s = mixtureStart(ratios);
    for (let k = 0; k < 4; k++) s = mixtureUpdate(s, ratios, { requests: 10, bad: 2 }, { requests: 90, bad: 0 });
    expect(mixtureLogEvidence(s)).toBeGreaterThan(Math.log(200));
  });

  it('shrinks when bad events split in proportion to traffic (a shared outage)', () => {
    let s = mixtureStart(ratios);
    for (let k = 0; k < 10; k++) s = mixtureUpdate(s, ratios, { requests: 10, bad: 1 }, { requests: 90, bad: 9 });
    expect(mixtureLogEvidence(s)).toBeLessThan(0);
  });

  it('keeps the false-rollback rate under alpha when both versions are equally bad and weights change', () => {
    const alpha = 0.05;
    const replays = 2000;
    let rejected = 0;
    for (let seed = 1; seed <= replays; seed++) {
      const random = seededRandom(seed);
      let s = mixtureStart(ratios);
      for (let k = 0; k < 400; k++) {
        const weight = k < 100 ? 0.1 : k < 200 ? 0.5 : 0.9;
        const n = poisson(random, 20 * weight);
        const m = poisson(random, 20 * (1 - weight));
        const bad = (count: number) => {
          let b = 0;
          for (let i = 0; i < count; i++) if (random() < 0.02) b++;
          return b;
        };
        s = mixtureUpdate(s, ratios, { requests: n, bad: bad(n) }, { requests: m, bad: bad(m) });
        if (mixtureLogEvidence(s) >= Math.log(1 / alpha)) {
          rejected++;
          break;
        }
      }
    }
    expect(rejected / replays).toBeLessThanOrEqual(alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / replays));
  });
});
