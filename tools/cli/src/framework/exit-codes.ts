/**
 * What every `homelab` command returns, so a script can branch on it: 0 all well, 1 the command ran and found
 * something wrong (a failed check, a finding, a failed step), 2 the command line itself was wrong, 3 a `status`
 * whose subject is not running (the LSB init-script convention `systemctl status` follows, so `status || up` works).
 */
export const exitCodes = { ok: 0, findings: 1, usage: 2, notRunning: 3 } as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** Thrown for a bad command line; the dispatcher prints the message and the command's usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
