import type { AppName, FailureModeId, TriageCheck } from '@homelab/platform';
import type { FaultSettings } from '@homelab/service-kit';

/** The service kit's `PUT /admin/faults` body; the kit's schema fills the fields left out. */
export type FaultSettingsInput = Partial<FaultSettings>;

/**
 * Where a scenario runs. `local`: `homelab up`'s real processes. `cluster`: through the Kubernetes API.
 * `orchestrator`: the platform on the Go orchestrator's three network-namespace nodes (orchestrator/, its REST API).
 */
export type Environment = 'local' | 'cluster' | 'orchestrator';

/** A dependency the local platform can take away. */
export type Dependency = 'redis' | 'postgres';

/**
 * The one thing a scenario breaks. Data, not code: the target (the local platform, a cluster) carries it out,
 * so a scenario can be listed, dry-run and unit-tested without touching anything.
 */
export type Injection =
  | { readonly kind: 'kill-process'; readonly app: AppName; readonly signal: 'SIGKILL' | 'SIGTERM' }
  | { readonly kind: 'fault'; readonly app: AppName; readonly settings: FaultSettingsInput }
  | { readonly kind: 'bad-config'; readonly app: AppName; readonly env: Readonly<Record<string, string>> }
  | { readonly kind: 'stop-dependency'; readonly dependency: Dependency }
  | { readonly kind: 'expire-certificate'; readonly validForSeconds: number }
  | { readonly kind: 'canary'; readonly app: AppName; readonly settings: FaultSettingsInput; readonly weight: number }
  | { readonly kind: 'kubernetes'; readonly action: ClusterAction }
  /**
   * On the orchestrator: SIGKILL one instance's process tree (its agent restarts it), or SIGKILL the agent of a
   * node running `app` but not PostgreSQL (the control plane moves the stateless instances).
   */
  | { readonly kind: 'orchestrator'; readonly action: 'kill-workload-process' | 'kill-agent'; readonly app: AppName }
  /** On the orchestrator: power loss of the node holding a stateful dependency; the revert restores the node. */
  | { readonly kind: 'orchestrator'; readonly action: 'kill-node'; readonly dependency: Dependency };

/** What an orchestrator scenario does through the orchestrator's REST API. */
export type OrchestratorAction = Extract<Injection, { kind: 'orchestrator' }>['action'];

/** What a cluster scenario does through the API (the cluster target maps each to API calls). */
export type ClusterAction =
  | 'delete-pod'
  | 'bad-image'
  | 'crash-loop-stage'
  | 'oom-stage'
  | 'unschedulable-node-selector'
  | 'selector-mismatch'
  | 'missing-storage-class'
  | 'drain-under-pdb'
  | 'break-coredns'
  | 'expire-certificate'
  | 'bad-canary';

/** A signal the scenario expects to see, in the order it should appear. */
export type ExpectedSignal =
  /** The supervisor (or kubelet) reports the process ended for this reason. */
  | { readonly kind: 'termination'; readonly app: AppName; readonly reason: 'OOMKilled' | 'Error' }
  /** Restarted at least `count` times (CrashLoopBackOff at 2+). */
  | { readonly kind: 'restarts'; readonly app: AppName; readonly count: number }
  /** The burn rate over the short window reaches this factor (14.4 = the page tier's). */
  | {
      readonly kind: 'slo-burn';
      readonly app: AppName;
      readonly slo: 'availability' | 'latency';
      readonly factor: number;
    }
  /**
   * A Prometheus alert reaches this state after the injection (only where Prometheus runs; else reported as not
   * observable). `pending` is met by pending or firing, `firing` only by firing. `labels` narrow it to one instance
   * (the burn-rate alerts share a name across tiers: `tier="page-fast"`). See alerts.ts.
   */
  | {
      readonly kind: 'alert';
      readonly alert: string;
      readonly state: AlertState;
      readonly labels?: Readonly<Record<string, string>>;
    }
  /**
   * `homelab triage <check>` reports a finding; of this failure mode (the runbook it links) when one is named, so
   * a symptom of the fault (a Deployment short of replicas) does not count as finding its cause (the OOM kill).
   */
  | { readonly kind: 'triage'; readonly check: TriageCheck; readonly failureMode?: FailureModeId }
  /** TLS clients see the certificate's remaining validity below this many days. */
  | { readonly kind: 'certificate-expiring'; readonly belowDays: number }
  /** The canary gate decided to roll the canary back (its weight returns to 0). */
  | { readonly kind: 'canary-rolled-back'; readonly app: AppName }
  /** The dependency stops answering (what RedisDown / PostgresDown alert on: the exporter's `*_up == 0`). */
  | { readonly kind: 'dependency-down'; readonly dependency: Dependency }
  /** The orchestrator replaced an instance of `app` with a ready one on another node (a stateless move). */
  | { readonly kind: 'instance-moved'; readonly app: AppName }
  /**
   * The orchestrator's API reports this condition on the workload (`GET /v1/conditions`): `waiting-for-node` is a
   * stateful workload that stays with its volume while the volume's node is gone.
   */
  | { readonly kind: 'condition'; readonly workload: Dependency; readonly reason: ConditionReason };

/** Condition reasons the orchestrator writes (server/controller.go), as the drills name them. */
export type ConditionReason = 'waiting-for-node';

export type AlertState = 'pending' | 'firing';

export type { TriageCheck };

/** What must hold throughout, or the drill failed its hypothesis even if the platform recovered. */
export type Invariant =
  | { readonly kind: 'no-server-errors' }
  | { readonly kind: 'no-acknowledged-write-lost' }
  | { readonly kind: 'no-failed-handshakes' }
  /**
   * No 5xx or unanswered request outside the fault window: none before the injection, none sent after the target
   * saw the platform whole again (every replica ready, every service with its endpoints) after the mitigation.
   */
  | { readonly kind: 'no-server-errors-beyond-fault' };

/**
 * How the platform gets out of it: by itself (a restart; a reschedule onto another node), or the drill's revert
 * standing in for the operator.
 */
export type Mitigation = 'automatic-restart' | 'automatic-reschedule' | 'revert' | 'canary-rollback';

export interface BoundedLoad {
  /** Requests per second the drill sends while it runs. */
  readonly ratePerSecond: number;
  /** Hard cap on the whole drill; the run stops and reports a failed recovery after it. */
  readonly maxSeconds: number;
  /** Share of requests that write (POST a note) instead of read; writes are tracked for acknowledged-write loss. */
  readonly writeRatio: number;
  /** What the load goes to. `gateway`: the API through the gateway; `tls`: handshakes on the drill's listener. */
  readonly via: 'gateway' | 'tls';
}

export interface Scenario {
  readonly name: string;
  readonly environment: Environment;
  readonly title: string;
  /** What we believe the platform does, stated so the run can refute it. */
  readonly hypothesis: string;
  readonly teaches: string;
  /** The interview question the drill answers ("you see this symptom… what next?"). */
  readonly interviewQuestion: string;
  /** What must be true before injecting (checked by the target; a failed precondition aborts without harm). */
  readonly preconditions: readonly string[];
  readonly load: BoundedLoad;
  /** Seconds of steady load before the injection, so there is a baseline. */
  readonly baselineSeconds: number;
  readonly inject: Injection;
  readonly expect: readonly ExpectedSignal[];
  readonly invariants: readonly Invariant[];
  readonly mitigation: Mitigation;
  /** Seconds of good requests in a row that count as recovered. */
  readonly recoveredAfterSeconds: number;
  /** The app whose SLO the failed requests are charged to. */
  readonly sloApp: AppName;
  /** The runbook for this failure mode and the triage check that confirms it. */
  readonly runbook: { readonly path: string; readonly triageCheck: TriageCheck };
  /** What is real and what is simulated when this runs (printed with every result). */
  readonly realism: { readonly real: readonly string[]; readonly simulated: readonly string[] };
  /** The symptom a blind drill shows the player, without naming the cause. */
  readonly symptom: string;
  /** Words a correct blind diagnosis contains (any one of them). */
  readonly diagnosisKeywords: readonly string[];
}
