import { describe, expect, it } from 'vitest';
import { seededRandom } from '../sim/traffic.ts';
import { sprtBounds, sprtIncrement } from './sprt.ts';

const bounds = sprtBounds(0.999, 14.4, 0.005, 0.05);

describe('Test A (SPRT against the SLO)', () => {
  it('anchors p0 on the SLO and p1 on the fast-page burn factor', () => {
    expect(bounds.p0).toBeCloseTo(0.001, 12);
    expect(bounds.p1).toBeCloseTo(0.0144, 12);
    expect(bounds.upper).toBeCloseTo(Math.log(0.95 / 0.005), 12);
    expect(bounds.lower).toBeCloseTo(Math.log(0.05 / 0.995), 12);
  });

  it('passes a clean stream after about 221 requests (the reference figure)', () => {
    const needed = Math.ceil(bounds.lower / bounds.goodStep);
    expect(needed).toBeGreaterThanOrEqual(215);
    expect(needed).toBeLessThanOrEqual(225);
    expect(sprtIncrement(bounds, needed - 1, 0)).toBeGreaterThan(bounds.lower);
    expect(sprtIncrement(bounds, needed, 0)).toBeLessThanOrEqual(bounds.lower);
  });

  it('crosses the rollback bound on two errors in the first few requests, not on one', () => {
    expect(sprtIncrement(bounds, 2, 2)).toBeGreaterThanOrEqual(bounds.upper);
    expect(sprtIncrement(bounds, 2, 1)).toBeLessThan(bounds.upper);
  });

  it('refuses alternatives that are not above the null', () => {
    expect(() => sprtBounds(0.999, 1, 0.005, 0.05)).toThrow(/p0 < p1/);
    expect(() => sprtBounds(0.999, 14.4, 0, 0.05)).toThrow(/alpha/);
  });
});

/** One Bernoulli stream of `horizon` requests at `rate`, looked at after every request. */
function crosses(rate: number, horizon: number, seed: number, alpha: number): { rejected: boolean; naive: boolean } {
  const b = sprtBounds(0.99, 5, alpha, 0.1);
  const random = seededRandom(seed);
  let llr = 0;
  let bad = 0;
  let naive = false;
  for (let n = 1; n <= horizon; n++) {
    const isBad = random() < rate;
    if (isBad) bad++;
    llr += isBad ? b.badStep : b.goodStep;
    // The rule Flagger-like gates use: compare the running ratio with a threshold at every look.
    if (n >= 20 && bad / n > 2 * b.p0) naive = true;
    if (llr >= b.upper) return { rejected: true, naive };
  }
  return { rejected: false, naive };
}

describe('seeded simulations of Test A', () => {
  it('keeps the false-rollback rate under alpha with a look after every request, where a naive ratio rule does not', () => {
    // alpha = 0.05 so that 2000 replays can see a violation; the bound is the same maths at 0.005.
    const alpha = 0.05;
    const replays = 2000;
    let rejected = 0;
    let naive = 0;
    for (let seed = 1; seed <= replays; seed++) {
      const r = crosses(0.01, 3000, seed, alpha);
      if (r.rejected) rejected++;
      if (r.naive) naive++;
    }
    const se = Math.sqrt((alpha * (1 - alpha)) / replays);
    expect(rejected / replays).toBeLessThanOrEqual(alpha + 3 * se);
    // Continuous looking at a plain ratio is what inflates false alarms: the same streams prove the contrast.
    expect(naive / replays).toBeGreaterThan(4 * alpha);
  });

  it('has the power Wald says at p1: rejects with probability >= 1 - beta, in about the expected number of requests', () => {
    const alpha = 0.005;
    const beta = 0.05;
    const b = sprtBounds(0.999, 14.4, alpha, beta);
    const replays = 2000;
    let rejected = 0;
    let samples = 0;
    for (let seed = 1; seed <= replays; seed++) {
      const random = seededRandom(seed);
      let llr = 0;
      let n = 0;
      while (llr < b.upper && llr > b.lower) {
        n++;
        llr += random() < b.p1 ? b.badStep : b.goodStep;
      }
      samples += n;
      if (llr >= b.upper) rejected++;
    }
    expect(rejected / replays).toBeGreaterThanOrEqual(1 - beta - 3 * Math.sqrt((beta * (1 - beta)) / replays));
    // Wald's average sample number at p1 ignores the overshoot past the bound; one bad event can overshoot by
    // at most one bad step, so the truth lies between the plain formula and the one with a full step added.
    const drift = b.p1 * b.badStep + (1 - b.p1) * b.goodStep;
    const wald = ((1 - beta) * b.upper + beta * b.lower) / drift;
    const waldWithOvershoot = ((1 - beta) * (b.upper + b.badStep) + beta * b.lower) / drift;
    expect(samples / replays).toBeGreaterThan(wald);
    expect(samples / replays).toBeLessThan(waldWithOvershoot);
  });
});
