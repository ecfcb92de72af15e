import { k8sLabels } from './k8s.ts';
import { syntheticTrafficLabel } from './sli.ts';
import { burnRateTiers } from './slo-alerting.ts';

/** One step of a canary rollout: the canary's share of traffic and how long it may take to prove itself. */
export interface CanaryStage {
  /** Percent of requests routed to the canary (1-100). */
  readonly weight: number;
  /**
   * The stage should gather enough evidence within this many seconds. Past it, `deadlinePolicy` decides: a stage
   * still receiving canary traffic is extended (up to `maxRolloutSeconds`), a silent one ends the rollout "held"
   * for the operator: silence is never read as failure or success (ADR 0131).
   */
  readonly deadlineSeconds: number;
}

/**
 * The canary gate's facts (issue 11, docs/adr/0090): read by packages/canary-gate, `homelab deploy`, the k6
 * thresholds and the deploy workflow. The maths is in packages/canary-gate/README.md.
 */
export const canaryGate = {
  /**
   * 20 % -> 50 % -> 100 %; promotion after the last stage passes. The first stage is 20 %, not 10 %: at 20 req/s a
   * 5 % error canary then shows its third error (what Test A needs) inside 30 s (G3, ADR 0132).
   */
  stages: [
    { weight: 20, deadlineSeconds: 600 },
    { weight: 50, deadlineSeconds: 300 },
    { weight: 100, deadlineSeconds: 300 },
  ] as readonly CanaryStage[],
  /** Test A's false-rollback bound per SLI, however often the gate looks (Ville). */
  alpha: 0.005,
  /**
   * Test B's alpha: half of Test A's. A shared outage holds the canary (up to a stage deadline) while Test B keeps
   * looking; Ville bounds its false blame by this per SLI whatever the length. Family-wise false rollback:
   * 2 SLIs x (0.005 + 0.0025) = 1.5 %.
   */
  relativeAlpha: 0.0025,
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
   * Test A's second alternative per SLI, p1' = factor x (1 - objective): a burn a user feels over days rather than
   * one that pages now. Test A is the mean of the two likelihood ratios (one e-value, alpha unchanged); before the
   * canary takes the last stage's traffic, Test A at p1' must have accepted the SLO over the whole rollout. Errors
   * 5x (G6: 0.5 % against a 0.1 % budget), latency 2x (2 % slow against a 1 % budget). ADR 0132.
   */
  tightFactors: { errors: 5, slow: 2 },
  /**
   * Stable is failing its SLO when a CUSUM of its own Test A (reflected at 0, so it recovers after an outage)
   * reaches this log-evidence. Then Test A does not blame the canary (only Test B, "worse than stable", can).
   * Higher than ln(1/alpha) because stable has most of the traffic: at 200 req/s a CUSUM at 5.3 would false-alarm
   * every few minutes; e^10 gives millions of requests between false alarms (ADR 0133).
   */
  stableFailingLogEvidence: 10,
  /**
   * Test A blames the canary only once stable has had this many requests (the pre-rollout baseline included):
   * about four times what stable's CUSUM needs on average to show an outage at the paging rate p1, so a shared outage already
   * under way is seen on stable before a canary unlucky in it is blamed. With no stable traffic at all Test A
   * decides alone. ADR 0133.
   */
  minStableRequestsForBlame: 800,
  /**
   * Seconds of stable-only traffic read before the first shift: the observed rate for the power plan and stable's
   * baseline (a shared outage already under way is known before the canary gets any traffic).
   */
  baselineSeconds: 30,
  /**
   * A stage deadline with no verdict: `extend` keeps looking while canary traffic still arrives (Ville's bound
   * holds for any number of looks) up to `maxRolloutSeconds`; `hold` stops at the first deadline. Either way the
   * end is "held" (traffic back on stable, the canary kept, the operator asked), never a rollback (ADR 0131).
   */
  deadlinePolicy: 'extend' as 'extend' | 'hold',
  maxRolloutSeconds: 1800,
  /**
   * Power analysis (ADR 0130): the gate plans for a decision within this many seconds at the observed rate and,
   * when real traffic is too low for it, asks for synthetic canary traffic up to `maxRps` (under the gateway's
   * per-identity limit of 50 req/s). Synthetic requests carry `header: value`; the services label them
   * `traffic="synthetic"`, which the user-facing SLO rules exclude and the gate counts.
   */
  synthetic: {
    targetDecisionSeconds: 240,
    maxRps: 40,
    header: 'x-homelab-synthetic',
    value: '1',
    /**
     * The one identity whose tag the gateway keeps (the load-test API key's identity in the cluster's `apiKeys`;
     * locally `homelab up`'s demo identity, which `homelab deploy --synthetic` uses). Anyone else's tag is removed,
     * so no client can hide its own failures from the user-facing SLO.
     */
    identity: 'load-test',
    label: syntheticTrafficLabel.name,
    labelValue: syntheticTrafficLabel.value,
  },
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
