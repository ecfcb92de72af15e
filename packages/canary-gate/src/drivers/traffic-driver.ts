import type { AppName } from '@homelab/platform';

/** A rollout as recorded where the traffic is shifted, so a re-run of a killed gate can find it. */
export interface RolloutRecord {
  readonly id: string;
  readonly app: AppName;
  readonly image: string;
  /** The stable image before this rollout (what a rollback of an interrupted promotion keeps). */
  readonly previousImage: string | undefined;
  readonly startedAt: string;
  /**
   * `running`: shifting traffic, no decision yet (a re-run reverts it: the evidence died with the gate);
   * `promoting` / `rolling-back`: decided, not yet fully applied (a re-run finishes it); `promoted` /
   * `rolled-back`: done.
   */
  readonly phase: 'running' | 'promoting' | 'rolling-back' | 'promoted' | 'rolled-back';
  readonly weight: number;
}

/**
 * Moves traffic between the versions and records the rollout on the objects it changes: the gateway's weights
 * locally, the HTTPRoute and the canary Deployment in the cluster. Every method is idempotent, so a re-run can
 * call them again after a crash at any point.
 */
export interface TrafficDriver {
  readonly description: string;
  /** The rollout a previous gate left recorded, if any. */
  recorded(app: AppName): Promise<RolloutRecord | undefined>;
  /**
   * Starts the canary on the new image at weight 0, records the rollout and waits until the canary is ready.
   * Throws `CanaryNotReadyError` when it never gets there: the gate then rolls back without shifting any traffic.
   */
  start(record: RolloutRecord): Promise<void>;
  setWeight(record: RolloutRecord, weight: number): Promise<void>;
  /**
   * Why the canary is not serving now (fewer available replicas than it should have), or undefined when it is.
   * Read every evaluation: a canary that lost its readiness after getting weight fails its share at the proxy, where
   * no canary counter sees it. Left out by a driver that cannot tell (the local gateway's processes).
   */
  canaryNotReady?(record: RolloutRecord): Promise<string | undefined>;
  /** The new image becomes stable, weights return to stable, the canary scales to zero. */
  promote(record: RolloutRecord): Promise<void>;
  /** Weights return to stable, then the canary scales to zero. */
  rollback(record: RolloutRecord): Promise<void>;
}

/**
 * The canary never became ready (its rollout stalled past the Deployment's progress deadline, or the driver's own
 * timeout): no traffic may go to it, so the gate rolls back at once instead of waiting for evidence that cannot come.
 */
export class CanaryNotReadyError extends Error {
  override readonly name = 'CanaryNotReadyError';
}
