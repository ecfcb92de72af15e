import { failureModes, runbookPath } from '@homelab/platform';
import { type CheckOptions, type Finding, findingsOf, needsAction, runCheck } from '@homelab/triage';
import type { ExpectedSignal, TriageCheck } from './scenario.ts';

export interface TriageVerdict {
  /** Findings that need action (warnings and alerts), as `homelab triage <check>` would list them. */
  readonly findings: readonly Finding[];
  /** One line for the record: what triage said, or why it could not run. */
  readonly summary: string;
}

/**
 * The one place drills call `homelab triage` (packages/triage `runCheck`). `match` narrows the findings to the
 * drill's own subject (its cgroup, its listener), so an unrelated finding on a shared machine does not count.
 */
export async function confirmWithTriage(
  check: TriageCheck,
  options: CheckOptions = {},
  match: (finding: Finding) => boolean = () => true,
): Promise<TriageVerdict> {
  try {
    const all = findingsOf(await runCheck(check, options));
    const findings = all.filter((f) => needsAction([f]) && match(f));
    const first = findings[0];
    return {
      findings,
      summary: first
        ? `${findings.length} finding(s); ${first.severity} ${first.subject}: ${first.what} -> ${first.runbook}`
        : `no matching finding (${all.length} finding(s) in all)`,
    };
  } catch (error) {
    return { findings: [], summary: `homelab triage ${check} could not run: ${(error as Error).message}` };
  }
}

/** The findings a triage signal counts: any, or only those of the failure mode it names (by the runbook linked). */
export function signalMatches(signal: Extract<ExpectedSignal, { kind: 'triage' }>): (finding: Finding) => boolean {
  if (!signal.failureMode) return () => true;
  const mode = failureModes[signal.failureMode];
  const runbook = runbookPath(mode.component, mode.name);
  return (finding) => finding.runbook === runbook;
}
