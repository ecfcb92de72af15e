import { k8sLabels } from './k8s.ts';
import { burnRateTiers } from './slo-alerting.ts';

/** One step of a canary rollout: the canary's share of traffic and how long it may take to prove itself. */
export interface CanaryStage {
  /** Percent of requests routed to the canary (1-100). */
  readonly weight: number;
  /**
   * The stage must gather enough evidence within this many seconds, otherwise the rollout ends with
   * "insufficient evidence" (reported apart from "regression"): silence is never read as failure or success.
   */
  readonly deadlineSeconds: number;
}

/**
 * The canary gate's facts (issue 11, docs/adr/0090): read by packages/canary-gate, `homelab deploy`, the k6
 * thresholds and the deploy workflow. The maths is in packages/canary-gate/README.md.
 */
export const canaryGate = {
  /** 10 % -> 50 % -> 100 %; promotion after the last stage passes. */
  stages: [
    { weight: 10, deadlineSeconds: 600 },
    { weight: 50, deadlineSeconds: 300 },
    { weight: 100, deadlineSeconds: 300 },
  ] as readonly CanaryStage[],
  /**
   * False-rollback bound per test (Test A and Test B) per SLI: two SLIs x two tests keep the family-wise
   * false-rollback rate <= 4 x alpha = 2 % (Bonferroni), however often the gate looks.
   */
  alpha: 0.005,
  /** Test A's chance of passing a stage while the canary burns at the alternative rate p1. */
  beta: 0.05,
  /**
   * Test A's alternative: p1 = factor x (1 - objective), the fast-page burn factor, so "the canary would page"
   * is exactly what the gate tests for.
   */
  burnFactor: burnRateTiers.find((t) => t.name === 'page-fast')?.factor ?? 14.4,
  /** Test B's mixture: the canary's bad-event rate relative to stable's, averaged over these ratios. */
  relativeRatios: [1.5, 2, 3, 5, 10] as readonly number[],
  /** How often the gate reads counters and decides. Local scraping can go faster than a Prometheus scrape. */
  evaluationSeconds: 5,
  /**
   * Counts in the first seconds after the canary first gets traffic, and after each weight increase, are skipped:
   * start-up errors and slow requests cluster (connection pools grow, caches fill).
   */
  warmupSeconds: 5,
  /** Errors are not independent (retries, start-up): no rollback before this many canary requests ... */
  minRequestsForRollback: 50,
  /** ... unless at least this many bad events were seen. */
  minBadEventsForRollback: 5,
  /**
   * A stage passes only while Test B's ln E is below this (E < e^x): Test A must not end a stage while the relative
   * test is still gathering evidence against the canary (a 5x regression that sits inside Test A's indifference
   * zone). Half the rollback threshold in log space (E < sqrt(1/alpha), about 14): swept 4, 8, 14, 30 on the
   * seeded benchmark; 4 and 8 cost healthy canaries deadline rollbacks, 30 lets more 5x regressions through.
   * Only passes wait; rollbacks are unchanged, so the false-rollback bound is untouched.
   */
  stagePassMaxRelativeLogEvidence: Math.log(Math.sqrt(1 / 0.005)),
  /**
   * Stable counts as in an outage of its own when its recent bad-event ratio is over p1 with at least
   * `minRequestsForRollback` requests in the last `sharedOutageWindowSeconds`: then the gate holds and alerts.
   */
  sharedOutageWindowSeconds: 30,
  /** Where deploy history is kept: a JSON-lines file locally, a ConfigMap in the cluster. */
  history: {
    localFile: 'deploys.jsonl',
    configMap: 'homelab-deploy-history',
    /** The ConfigMap's key: JSON lines, as the local file. The web pods mount the ConfigMap read-only. */
    configMapKey: 'deploys.jsonl',
    maxEntries: 50,
  },
  /**
   * The Prometheus label that tells stable from canary: the local scrape config sets `track`; in the cluster the
   * PodMonitor copies the pod label `homelab.dev/track`, which Prometheus sanitises to `homelab_dev_track`.
   */
  trackLabel: { local: 'track', cluster: k8sLabels.track.replace(/[^a-zA-Z0-9_]/g, '_') },
  /** The gateway route whose stable/canary upstreams `homelab deploy --local` weighs (apps/gateway `notesRoute`). */
  localGatewayRoute: 'notes',
  /** Annotations on the HTTPRoute / canary Deployment that record a rollout in progress (re-runs read them). */
  annotations: {
    rollout: 'homelab.dev/canary-rollout',
  },
} as const;

/** The canary gate's stage plan, alpha/beta etc. as a type, for overrides in tests and flags. */
export type CanaryGateFacts = typeof canaryGate;
