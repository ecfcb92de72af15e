/**
 * Service level objectives. Each SLO names its service and is turned into recording rules, burn-rate alerts,
 * dashboards and the canary gate's thresholds, so this is the only place an objective is written down.
 */
export type SloKind = 'availability' | 'latency';

export interface SloSpec {
  /** Short name, used in rule names and labels (`slo="availability"`). */
  readonly name: string;
  readonly kind: SloKind;
  /** Target ratio of good events, e.g. 0.999. */
  readonly objective: number;
  /** Compliance period in days (30 unless a service says otherwise). */
  readonly periodDays: number;
  /**
   * Latency SLOs only: a request is good when it completes within this many seconds. Must be one of
   * `httpDurationBuckets` so the bad-event count can be read from the histogram bucket `le` = threshold.
   */
  readonly thresholdSeconds?: number;
  readonly description: string;
}

/**
 * Histogram buckets of `http_request_duration_seconds`, shared by every service. Every latency SLO threshold is
 * a boundary here (a test holds that), otherwise "slower than the threshold" cannot be counted exactly.
 */
export const httpDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10] as const;

export const availability = (objective: number, description: string): SloSpec => ({
  name: 'availability',
  kind: 'availability',
  objective,
  periodDays: 30,
  description,
});

export const latency = (objective: number, thresholdSeconds: number, description: string): SloSpec => ({
  name: 'latency',
  kind: 'latency',
  objective,
  periodDays: 30,
  thresholdSeconds,
  description,
});

/** The error budget as a ratio: 1 - objective. */
export const errorBudget = (slo: SloSpec): number => 1 - slo.objective;
