import type { Environment, ExpectedSignal, Invariant, Scenario } from './scenario.ts';

/** One request (or TLS handshake) of the drill's load, timed from when it was sent. */
export interface Sample {
  /** Epoch milliseconds when the request was sent. */
  readonly at: number;
  readonly kind: 'read' | 'write' | 'handshake';
  /** HTTP status; 0 when no answer came (connection refused, reset, timeout, handshake failure). */
  readonly status: number;
  readonly ms: number;
  readonly error?: string;
}

export type EventKind =
  | 'load-started'
  | 'injected'
  | 'first-failed-request'
  | 'signal'
  | 'detected'
  | 'mitigated'
  | 'recovered'
  | 'reverted'
  | 'load-stopped'
  | 'diagnosed';

/** A point on the timeline. */
export interface DrillEvent {
  readonly at: number;
  readonly kind: EventKind;
  readonly detail: string;
}

export interface SignalResult {
  readonly signal: ExpectedSignal;
  /** When it was first seen; undefined if never. */
  readonly at: number | undefined;
  readonly detail: string;
  /** False when the target cannot observe this signal here; it then neither passes nor fails the run. */
  readonly observable: boolean;
}

export interface InvariantResult {
  readonly invariant: Invariant;
  readonly held: boolean;
  readonly detail: string;
}

/** What a run measured, all derived from the samples and events by `measure` (pure). */
export interface Measurements {
  readonly requests: number;
  /** Server errors and unanswered requests after the injection. */
  readonly failedRequests: number;
  /** Answered, but slower than the SLO app's latency threshold, after the injection. */
  readonly slowRequests: number;
  /** Percent of the 30-day availability / latency budget spent, at the drill's request rate (see budget.ts). */
  readonly availabilityBudgetSpentPercent: number;
  readonly latencyBudgetSpentPercent: number;
  /** Milliseconds from injection; undefined when it never happened. */
  readonly timeToFirstFailureMs: number | undefined;
  readonly timeToDetectMs: number | undefined;
  readonly timeToMitigateMs: number | undefined;
  readonly timeToRecoverMs: number | undefined;
  /**
   * From injection to the first expected Prometheus alert reaching pending / firing; undefined when not seen (or
   * not expected, or not observable: the record's signals say which).
   */
  readonly timeToAlertPendingMs: number | undefined;
  readonly timeToAlertFiringMs: number | undefined;
}

/** The load per second since it started: how many requests answered well, failed, or were slow. */
export interface LoadSecond {
  readonly second: number;
  readonly good: number;
  readonly failed: number;
  readonly slow: number;
}

/** The blind game's answer next to the automatic run. */
export interface BlindResult {
  readonly answer: string;
  readonly correct: boolean;
  readonly timeToDiagnoseMs: number;
}

/** Everything one run produced: the postmortem draft and `--json` are rendered from this alone. */
export interface DrillRecord {
  readonly scenario: string;
  readonly title: string;
  readonly environment: Environment;
  /** Where it ran, stated honestly (machine, cgroup mode, what was real). */
  readonly environmentDetail: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly events: readonly DrillEvent[];
  readonly signals: readonly SignalResult[];
  readonly invariants: readonly InvariantResult[];
  readonly measurements: Measurements;
  readonly load: readonly LoadSecond[];
  readonly realism: Scenario['realism'];
  readonly runbook: Scenario['runbook'];
  /** The triage check's verdict, or why it could not run. */
  readonly triage: string;
  /** True when every expected signal was seen, every invariant held and the platform recovered. */
  readonly passed: boolean;
  readonly blind?: BlindResult;
  /** Lines the target logged during the run that explain it (the supervisor's OOMKilled line, the config error). */
  readonly evidence: readonly string[];
}
