import { type FailureMode, runbookPath } from '@homelab/platform';

/** How bad a finding is: `alert` needs action now, `warn` will need it soon, `info` is context for a person. */
export type Severity = 'alert' | 'warn' | 'info';

/**
 * One thing a check found. Every field is spelled out for a person at 3 a.m.: what is wrong, the evidence that
 * says so (numbers read, not opinions), what to look at next, and the runbook for the failure mode.
 */
export interface Finding {
  readonly check: string;
  readonly severity: Severity;
  /** The object the finding is about: a pid, a host:port, `namespace/kind/name`. */
  readonly subject: string;
  readonly what: string;
  readonly evidence: readonly string[];
  readonly next: string;
  /** `runbooks/<component>/<Name>.md`, relative to the repository root. */
  readonly runbook: string;
}

/** Builds a finding whose runbook link comes from the failure mode, never a typed path. */
export const finding = (
  mode: FailureMode,
  fields: Omit<Finding, 'runbook' | 'check'> & { readonly check?: string },
): Finding => ({
  check: fields.check ?? mode.check,
  severity: fields.severity,
  subject: fields.subject,
  what: fields.what,
  evidence: fields.evidence,
  next: fields.next,
  runbook: runbookPath(mode.component, mode.name),
});

/** Exit code contract of `homelab triage`: 0 healthy, 1 findings that need action (alert or warn). */
export const needsAction = (findings: readonly Finding[]): boolean => findings.some((f) => f.severity !== 'info');
