import type { AppName } from '@homelab/platform';

/**
 * The deploy record's vocabulary: what the canary gate writes and the web status page reads. Declared here, not in
 * the gate's engine, so the web image carries only this small package (no Kubernetes client, no load generator).
 */

/** The SLIs the gate tests: availability (5xx) and latency (slower than the SLO's threshold). */
export type SliName = 'errors' | 'slow';

/**
 * Per-version counts: what the gate decides on. A source reads cumulative counters; the gate works on the
 * increments between two reads, which the engine's `increments()` derives with the counter-reset rule Prometheus
 * uses.
 */
export interface Counts {
  /** Requests that count (see sli.ts). */
  readonly requests: number;
  /** Of those, answered with a server error (the availability SLI's bad events). */
  readonly errors: number;
  /** Of those, slower than the latency SLO's threshold (histogram bucket `le` = threshold). */
  readonly slow: number;
}

export type HoldReason = 'warm-up' | 'no data' | 'collecting' | 'shared outage';
export type RollbackReason = 'regression' | 'insufficient evidence';

export type Decision =
  | { readonly kind: 'hold'; readonly reason: HoldReason; readonly alert: boolean; readonly detail: string }
  | { readonly kind: 'advance'; readonly stage: number; readonly weight: number; readonly detail: string }
  | { readonly kind: 'promote'; readonly detail: string }
  | { readonly kind: 'rollback'; readonly reason: RollbackReason; readonly detail: string };

/** The evidence per SLI, against its thresholds: what the progress line, the record and the chart show. */
export interface SliEvidence {
  /** Test A over the whole rollout (rollback at >= upper). */
  readonly testA: number;
  /** Test A since this stage started (the stage passes at <= lower). */
  readonly testAStage: number;
  readonly upper: number;
  readonly lower: number;
  /** ln E of Test B (rollback at >= bThreshold = ln(1/alpha)). */
  readonly testB: number;
  readonly bThreshold: number;
  readonly canaryBad: number;
  readonly stableBad: number;
}

/** One evaluation: what the gate saw and decided. */
export interface TimelinePoint {
  /** Seconds since the rollout started. */
  readonly at: number;
  /** 0-based stage index and the canary's weight during the interval. */
  readonly stage: number;
  readonly weight: number;
  /** Requests per version since the rollout started (including warm-up). */
  readonly canary: Counts;
  readonly stable: Counts;
  readonly evidence: Readonly<Record<SliName, SliEvidence>>;
  readonly decision: Decision;
}

/** The JSON record of one deploy: printed, kept in the history, drawn by the chart. */
export interface RolloutResult {
  readonly id: string;
  readonly app: AppName;
  readonly image: string;
  readonly source: string;
  readonly driver: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly outcome: 'promoted' | 'rolled-back';
  /** For rollbacks: why. `canary not ready`: its pods never became ready, so it never got any traffic. */
  readonly reason: 'regression' | 'insufficient evidence' | 'interrupted' | 'canary not ready' | undefined;
  readonly detail: string;
  /** What a re-run found and did about an interrupted earlier rollout. */
  readonly recovered: string | undefined;
  /** Shared-outage alerts raised on the way (the canary was not blamed). */
  readonly alerts: readonly string[];
  readonly stages: readonly { readonly weight: number; readonly deadlineSeconds: number }[];
  readonly timeline: readonly TimelinePoint[];
}
