/**
 * Per-version counts: what the gate decides on. A source reads cumulative counters; the gate works on the
 * increments between two reads, which `increments()` derives with the counter-reset rule Prometheus uses.
 */
import type { Counts } from '@homelab/deploy-report';

export type { Counts };

export const zeroCounts: Counts = { requests: 0, errors: 0, slow: 0 };

/** One version's cumulative counters per process (instance): counters reset per process, not per version. */
export type VersionReading = Readonly<Record<string, Counts>>;

/** One reading of both versions' cumulative counters. A missing series is `undefined`, never a zero. */
export interface Snapshot {
  readonly canary: VersionReading | undefined;
  readonly stable: VersionReading | undefined;
}

/**
 * A counter that went down was reset (process restart): the new value is all that happened since, as in
 * Prometheus' `increase()`. Rounded, because a source may hand back floats; a missing side adds nothing.
 */
export function counterIncrement(previous: number | undefined, current: number | undefined): number {
  if (current === undefined || !Number.isFinite(current)) return 0;
  if (previous === undefined || !Number.isFinite(previous)) return 0;
  const delta = current >= previous ? current - previous : current;
  return Math.max(0, Math.round(delta));
}

/**
 * Increments of one version between two readings. A reset in any of the three counters means the process
 * restarted, so all three restart from zero together (otherwise bad events could exceed requests).
 */
export function versionIncrement(previous: Counts | undefined, current: Counts | undefined): Counts {
  if (!previous || !current) return zeroCounts;
  const reset =
    current.requests < previous.requests || current.errors < previous.errors || current.slow < previous.slow;
  const base = reset ? zeroCounts : previous;
  const requests = counterIncrement(base.requests, current.requests);
  return {
    requests,
    errors: Math.min(requests, counterIncrement(base.errors, current.errors)),
    slow: Math.min(requests, counterIncrement(base.slow, current.slow)),
  };
}

/**
 * Increments of one version across its processes, against the last value seen of each process (`seen`, updated in
 * place). Summing counters before differencing would be wrong: one pod restarting would make the sum drop and the
 * reset rule would then count every other pod's whole history. A process missing from one reading keeps its last
 * value, so when it comes back only what it counted since is new (issue 18: differencing against the previous
 * reading alone counted its whole history again). A process never seen before started during the rollout, so all
 * it counted is new; on the very first reading everything is the baseline.
 */
export function readingIncrement(
  seen: Map<string, Counts>,
  current: VersionReading | undefined,
  first: boolean,
): Counts {
  if (!current) return zeroCounts;
  let total = zeroCounts;
  for (const [instance, counts] of Object.entries(current)) {
    const before = seen.get(instance);
    if (!first) total = addCounts(total, versionIncrement(before ?? zeroCounts, counts));
    seen.set(instance, counts);
  }
  return total;
}

/**
 * The gate's view of cumulative counters: per version, per process, the last value seen. Feed it every reading;
 * it returns the increments since the previous one. A missing reading (a failed scrape) adds nothing and loses
 * nothing: the next one is differenced against each process' last seen value.
 */
export function counterTracker() {
  const seen = { canary: new Map<string, Counts>(), stable: new Map<string, Counts>() };
  let first = true;
  return {
    next(current: Snapshot | undefined): { canary: Counts; stable: Counts } {
      if (!current) return { canary: zeroCounts, stable: zeroCounts };
      const result = {
        canary: readingIncrement(seen.canary, current.canary, first),
        stable: readingIncrement(seen.stable, current.stable, first),
      };
      first = false;
      return result;
    },
  };
}

/** Increments between two readings alone (no memory of processes missing from `previous`). */
export function increments(previous: Snapshot | undefined, current: Snapshot): { canary: Counts; stable: Counts } {
  if (!previous) return { canary: zeroCounts, stable: zeroCounts };
  const tracker = counterTracker();
  tracker.next(previous);
  return tracker.next(current);
}

export const addCounts = (a: Counts, b: Counts): Counts => ({
  requests: a.requests + b.requests,
  errors: a.errors + b.errors,
  slow: a.slow + b.slow,
});
