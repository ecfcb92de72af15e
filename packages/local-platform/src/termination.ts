import type { ServiceCgroup } from './cgroups.ts';

/** How a process ended, in the kubelet's words (a container's `lastState.terminated`). */
export interface Termination {
  /** `OOMKilled` when the cgroup's OOM killer ended it, `Completed` on exit 0, else `Error`. */
  readonly reason: 'OOMKilled' | 'Error' | 'Completed';
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The memory limit in force, when the process ran in a cgroup (`256Mi`). */
  readonly memoryLimit: string | undefined;
  readonly at: Date;
  /** For the log: `OOMKilled: memory limit 256Mi exceeded (SIGKILL)`, else the exit status (`code 3`, `SIGTERM`). */
  readonly message: string;
}

/**
 * Names an exit the way the kubelet does. A SIGKILL alone is not proof of an OOM kill (an operator may send it):
 * only a rise of the cgroup's own `oom_kill` counter during this run is.
 */
export function terminationOf(
  exitCode: number | null,
  signal: NodeJS.Signals | null,
  cgroup: Pick<ServiceCgroup, 'oomKills' | 'limits'> | undefined,
  oomKillsBefore: number,
  at = new Date(),
): Termination {
  let oomKilled = false;
  try {
    oomKilled = cgroup !== undefined && cgroup.oomKills() > oomKillsBefore;
  } catch {
    // the cgroup vanished: report what the exit status says
  }
  const status = signal ?? `code ${exitCode}`;
  const memoryLimit = cgroup?.limits.memoryLimit;
  if (oomKilled) {
    return {
      reason: 'OOMKilled',
      exitCode,
      signal,
      memoryLimit,
      at,
      message: `OOMKilled: memory limit ${memoryLimit} exceeded (${status})`,
    };
  }
  const reason = exitCode === 0 ? 'Completed' : 'Error';
  return { reason, exitCode, signal, memoryLimit, at, message: status };
}
