import type { InvariantResult, Sample } from './record.ts';
import type { ExpectedSignal, Injection, Invariant, Scenario } from './scenario.ts';

/**
 * What the runner needs from an environment. The local platform (tools/cli) and a cluster implement it; the
 * runner itself does no I/O of its own beyond the clock, so a fake target unit-tests it.
 */
export interface DrillTarget {
  /** One line saying where this runs: machine, limits, what is real. */
  readonly description: string;
  /** Failed preconditions (empty: go). Nothing has been touched when this reports a failure. */
  checkPreconditions(scenario: Scenario): Promise<string[]>;
  /** One request of the bounded load. Resolves (never rejects) with what happened. */
  send(kind: Sample['kind']): Promise<Omit<Sample, 'at' | 'kind'>>;
  inject(injection: Injection): Promise<void>;
  /** Undoes `inject`; safe to call twice and after a partial injection. */
  revert(injection: Injection): Promise<void>;
  /**
   * Whether `signal` is observable now (since `since`), with a detail line; undefined when not (yet). SLO burn is
   * computed by the runner from its own samples and never asked here.
   */
  observe(signal: ExpectedSignal, since: number): Promise<string | undefined>;
  /** Why this target cannot observe `signal` at all (no Prometheus, triage not installed); undefined if it can. */
  cannotObserve(signal: ExpectedSignal): string | undefined;
  /** Checked once the load stopped. */
  verify(invariant: Invariant, samples: readonly Sample[]): Promise<InvariantResult>;
  /** Runs the triage check that confirms the failure mode (packages/triage's `runCheck` where the target can). */
  triage(check: Scenario['runbook']['triageCheck']): Promise<string>;
  /** Log lines that explain what happened since `since` (the supervisor's exit reports, start-up errors). */
  evidence(since: number): readonly string[];
}
