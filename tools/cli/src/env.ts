/** What the CLI itself reads from the environment (the one place it may: ADR 0153). Each command flag wins. */

/** GitHub Actions' job summary file, when the deploy runs in a workflow: the deploy's summary is appended there. */
export const githubStepSummary = (): string | undefined => process.env.GITHUB_STEP_SUMMARY || undefined;
