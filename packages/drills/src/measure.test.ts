import { apps } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { budgetSpentPercent, burnRate, sloOf } from './budget.ts';
import { scenarioNamed } from './catalog.ts';
import { measure, perSecond, recoveredAt, windowBurnRate } from './measure.ts';
import type { DrillEvent, Sample } from './record.ts';

const ok = (at: number, ms = 10): Sample => ({ at, kind: 'read', status: 200, ms });
const bad = (at: number, status = 502): Sample => ({ at, kind: 'read', status, ms: 5 });
/** 10 requests per second from t=0 to t=10 s; those in [from, to) answered by `during`. */
const load = (from: number, to: number, during: (at: number) => Sample) =>
  Array.from({ length: 100 }, (_, i) => i * 100).map((at) => (at >= from && at < to ? during(at) : ok(at)));

describe('budget arithmetic', () => {
  it('charges bad requests against (1 - objective) of the month at the drill rate', () => {
    const slo = sloOf(apps.gateway.name, 'availability');
    // 0.001 × 20 req/s × 30 d = 51 840 requests of budget; 518.4 of them are 1 %.
    expect(budgetSpentPercent(slo, 518.4, 20)).toBeCloseTo(1, 10);
    expect(burnRate(slo, 1, 100)).toBeCloseTo(10, 10);
    expect(burnRate(slo, 0, 0)).toBe(0);
  });
});

describe('measure', () => {
  const scenario = scenarioNamed('process-kill');
  const events: DrillEvent[] = [
    { at: 0, kind: 'load-started', detail: '' },
    { at: 3000, kind: 'injected', detail: '' },
    { at: 3400, kind: 'detected', detail: '' },
    { at: 4100, kind: 'mitigated', detail: '' },
    { at: 4500, kind: 'recovered', detail: '' },
  ];

  it('counts failures after the injection and times every phase from it', () => {
    const samples = load(3200, 4500, (at) => bad(at));
    const m = measure(scenario, samples, events);
    expect(m.requests).toBe(100);
    expect(m.failedRequests).toBe(13);
    expect(m.slowRequests).toBe(0);
    expect(m.timeToFirstFailureMs).toBe(200);
    expect(m.timeToDetectMs).toBe(400);
    expect(m.timeToMitigateMs).toBe(1100);
    expect(m.timeToRecoverMs).toBe(1500);
    expect(m.availabilityBudgetSpentPercent).toBeCloseTo(budgetSpentPercent(sloOf('gateway', 'availability'), 13, 20));
  });

  it('does not charge failures before the injection, and counts unanswered requests as failed', () => {
    const samples = [bad(1000), bad(3500, 0), ok(3600), bad(3700, 404)];
    expect(measure(scenario, samples, events).failedRequests).toBe(1);
  });

  it('counts slow answers for the latency scenario and the latency budget', () => {
    const latency = scenarioNamed('latency-fault');
    const threshold = (sloOf('gateway', 'latency').thresholdSeconds ?? 0) * 1000;
    const samples = load(3000, 6000, (at) => ok(at, threshold + 100));
    const m = measure(latency, samples, events);
    expect(m.slowRequests).toBe(30);
    expect(m.failedRequests).toBe(0);
    expect(m.latencyBudgetSpentPercent).toBeGreaterThan(0);
    expect(m.availabilityBudgetSpentPercent).toBe(0);
  });
});

describe('recovery and burn', () => {
  const scenario = scenarioNamed('process-kill');

  it('recovers at the first good request after the last bad one, once good requests lasted long enough', () => {
    const samples = load(3000, 5000, (at) => bad(at));
    expect(recoveredAt(scenario, samples, 3000)).toBe(5000);
    // Only 2 s of good requests after the outage: not yet recovered (the scenario wants 3 s).
    expect(
      recoveredAt(
        scenario,
        samples.filter((s) => s.at < 7000),
        3000,
      ),
    ).toBeUndefined();
    // A relapse moves recovery past it.
    const relapse = samples.map((s) => (s.at === 6000 ? bad(6000) : s));
    expect(recoveredAt(scenario, relapse, 3000)).toBe(6100);
  });

  it('computes the burn rate of a window from answered requests only', () => {
    const samples = load(3000, 4000, (at) => bad(at));
    // At 5 s the last 5 s hold 50 answered requests of which 10 failed: 20 % / 0.1 % = 200.
    expect(windowBurnRate(scenario, 'availability', samples, 5000, 5000)).toBeCloseTo(200);
    expect(windowBurnRate(scenario, 'availability', samples, 2900, 2000)).toBe(0);
  });

  it('buckets the load per second', () => {
    const buckets = perSecond(
      scenario,
      load(3000, 4000, (at) => bad(at)),
      0,
    );
    expect(buckets).toHaveLength(10);
    expect(buckets[3]).toEqual({ second: 3, good: 0, failed: 10, slow: 0 });
    expect(buckets[4]).toEqual({ second: 4, good: 10, failed: 0, slow: 0 });
  });
});
