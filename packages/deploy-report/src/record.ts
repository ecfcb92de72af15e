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

export type HoldReason = 'warm-up' | 'no data' | 'collecting' | 'shared outage' | 'extended';
export type RollbackReason = 'regression';
/** A rollout that ended without a verdict: never a rollback of the canary (ADR 0131). */
export type HeldReason = 'insufficient evidence' | 'shared outage';

export type Decision =
  | { readonly kind: 'hold'; readonly reason: HoldReason; readonly alert: boolean; readonly detail: string }
  | { readonly kind: 'advance'; readonly stage: number; readonly weight: number; readonly detail: string }
  | { readonly kind: 'promote'; readonly detail: string }
  | { readonly kind: 'rollback'; readonly reason: RollbackReason; readonly detail: string }
  | { readonly kind: 'held'; readonly reason: HeldReason; readonly detail: string };

/** The evidence per SLI, against its thresholds: what the progress line, the record and the chart show. */
export interface SliEvidence {
  /** ln of Test A's e-value over the whole rollout: the mean of the two alternatives' likelihood ratios. */
  readonly testA: number;
  /** Test A at the paging alternative p1 since this stage started (the stage passes at <= lower). */
  readonly testAStage: number;
  /**
   * Test A at the tight alternative p1' over the whole rollout (must be <= lower before the last stage). This and
   * the stable fields are optional because deploy records written before issue 18 lack them (the history page).
   */
  readonly testATight?: number;
  /** Rollback at testA >= upper = ln(1/alpha). */
  readonly upper: number;
  readonly lower: number;
  /** ln E of Test B (rollback at >= bThreshold = ln(1/relativeAlpha)). */
  readonly testB: number;
  readonly bThreshold: number;
  /**
   * Stable's own CUSUM against the SLO: at >= upper Test A stops blaming the canary; at >= stableThreshold stable
   * is failing its SLO (the record says so).
   */
  readonly stableCusum?: number;
  readonly stableThreshold?: number;
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
  /** `held`: no verdict by the deadline policy (ADR 0131); traffic back on stable, the canary kept, operator asked. */
  readonly outcome: 'promoted' | 'rolled-back' | 'held';
  /**
   * For rollbacks: why (`canary not ready`: its pods never became ready, so it never got any traffic); for held
   * rollouts: `insufficient evidence` or `shared outage`.
   */
  readonly reason:
    | 'regression'
    | 'insufficient evidence'
    | 'shared outage'
    | 'interrupted'
    | 'canary not ready'
    | undefined;
  readonly detail: string;
  /** What a re-run found and did about an interrupted earlier rollout. */
  readonly recovered: string | undefined;
  /** Shared-outage alerts raised on the way (the canary was not blamed). */
  readonly alerts: readonly string[];
  /** The power plan said up front: expected decision time, synthetic traffic asked for. */
  readonly plan?: string | undefined;
  readonly stages: readonly { readonly weight: number; readonly deadlineSeconds: number }[];
  readonly timeline: readonly TimelinePoint[];
}
