import type { SloSpec } from '@homelab/platform';
import { budgetSpentPercent, burnRate, sloOf } from './budget.ts';
import type { DrillEvent, LoadSecond, Measurements, Sample, SignalResult } from './record.ts';
import type { Scenario } from './scenario.ts';

/** A request that spends availability budget: a server error or no answer at all (4xx are the client's). */
export const failed = (s: Sample): boolean => s.status === 0 || s.status >= 500;

/** A request that spends latency budget: answered, but slower than the threshold. */
export const slow = (s: Sample, latencySlo: SloSpec): boolean =>
  !failed(s) && s.ms > (latencySlo.thresholdSeconds ?? Number.POSITIVE_INFINITY) * 1000;

/** Bad for the SLO the scenario watches: failed, or (for the latency SLO) failed or slow. */
export function badFor(scenario: Scenario): (s: Sample) => boolean {
  const latencySlo = sloOf(scenario.sloApp, 'latency');
  const watchesLatency = scenario.expect.some((e) => e.kind === 'slo-burn' && e.slo === 'latency');
  return watchesLatency ? (s) => failed(s) || slow(s, latencySlo) : failed;
}

/**
 * The burn rate over the last `windowMs` of samples answered by `now`. The drill's own short-window view of
 * what the burn-rate alerts compute from the services' counters over 5 m and 1 h.
 */
export function windowBurnRate(
  scenario: Scenario,
  kind: SloSpec['kind'],
  samples: readonly Sample[],
  now: number,
  windowMs: number,
): number {
  const slo = sloOf(scenario.sloApp, kind);
  const inWindow = samples.filter((s) => s.at + s.ms <= now && s.at + s.ms > now - windowMs);
  const bad = inWindow.filter(kind === 'latency' ? (s) => failed(s) || slow(s, slo) : failed).length;
  return burnRate(slo, bad, inWindow.length);
}

/**
 * When the platform counts as recovered: the first good request after the last bad one, provided good requests
 * then continue for `recoveredAfterSeconds`. Undefined while that has not happened.
 */
export function recoveredAt(scenario: Scenario, samples: readonly Sample[], after: number): number | undefined {
  const bad = badFor(scenario);
  const sorted = samples.filter((s) => s.at >= after).sort((a, b) => a.at - b.at);
  const lastBadIndex = sorted.findLastIndex(bad);
  const firstGood = sorted[lastBadIndex + 1];
  const last = sorted.at(-1);
  if (!firstGood || !last) return undefined;
  return last.at - firstGood.at >= scenario.recoveredAfterSeconds * 1000 ? firstGood.at : undefined;
}

const firstEvent = (events: readonly DrillEvent[], kind: DrillEvent['kind']) => events.find((e) => e.kind === kind)?.at;

/** Everything the record reports as numbers, from the samples and the events alone. */
export function measure(
  scenario: Scenario,
  samples: readonly Sample[],
  events: readonly DrillEvent[],
  signals: readonly SignalResult[] = [],
): Measurements {
  const injected = firstEvent(events, 'injected');
  const after = injected === undefined ? [] : samples.filter((s) => s.at >= injected).sort((a, b) => a.at - b.at);
  const latencySlo = sloOf(scenario.sloApp, 'latency');
  const failedRequests = after.filter(failed).length;
  const slowRequests = after.filter((s) => slow(s, latencySlo)).length;
  const since = (kind: DrillEvent['kind']) => {
    const at = firstEvent(events, kind);
    return at === undefined || injected === undefined ? undefined : at - injected;
  };
  const firstBad = injected === undefined ? undefined : after.find(badFor(scenario));
  // A firing alert was pending first, so a pending expectation is met no later than a firing one.
  const toAlert = (state: 'pending' | 'firing') => {
    const seen = signals
      .filter(
        (r) => r.signal.kind === 'alert' && r.at !== undefined && (state === 'pending' || r.signal.state === state),
      )
      .map((r) => r.at as number);
    return seen.length === 0 || injected === undefined ? undefined : Math.min(...seen) - injected;
  };
  return {
    requests: samples.length,
    failedRequests,
    slowRequests,
    availabilityBudgetSpentPercent: budgetSpentPercent(
      sloOf(scenario.sloApp, 'availability'),
      failedRequests,
      scenario.load.ratePerSecond,
    ),
    latencyBudgetSpentPercent: budgetSpentPercent(latencySlo, slowRequests, scenario.load.ratePerSecond),
    timeToFirstFailureMs: firstBad && injected !== undefined ? firstBad.at - injected : undefined,
    timeToDetectMs: since('detected'),
    timeToMitigateMs: since('mitigated'),
    timeToRecoverMs: since('recovered'),
    timeToAlertPendingMs: toAlert('pending'),
    timeToAlertFiringMs: toAlert('firing'),
  };
}

/** Requests per second since `startedAt`, split into good, failed and slow. */
export function perSecond(scenario: Scenario, samples: readonly Sample[], startedAt: number): LoadSecond[] {
  const latencySlo = sloOf(scenario.sloApp, 'latency');
  const seconds = new Map<number, { good: number; failed: number; slow: number }>();
  for (const s of samples) {
    const second = Math.floor((s.at - startedAt) / 1000);
    const bucket = seconds.get(second) ?? { good: 0, failed: 0, slow: 0 };
    if (failed(s)) bucket.failed += 1;
    else if (slow(s, latencySlo)) bucket.slow += 1;
    else bucket.good += 1;
    seconds.set(second, bucket);
  }
  return [...seconds.entries()].sort(([a], [b]) => a - b).map(([second, b]) => ({ second, ...b }));
}
