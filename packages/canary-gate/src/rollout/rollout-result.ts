import type { AppName } from '@homelab/platform';
import type { SliName } from '../engine/config.ts';
import type { Counts } from '../engine/counts.ts';
import type { Decision, SliEvidence } from '../engine/gate.ts';

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
