import type { TriageCheck } from './scenario.ts';

/**
 * The one place drills call `homelab triage`. packages/triage (`runCheck(name, options)`) is built on the
 * triage branch; until it is merged here this reports that it could not run, and the drill says so instead of
 * claiming a confirmation. Merging it changes only this file.
 */
export function triageUnavailable(): string | undefined {
  return 'packages/triage is not merged into this build yet';
}

/** Runs the triage check that confirms a drill's failure mode; a one-line verdict. */
export async function confirmWithTriage(check: TriageCheck): Promise<string> {
  const unavailable = triageUnavailable();
  return unavailable ? `not run (${unavailable}); by hand: homelab triage ${check}` : `homelab triage ${check}`;
}
