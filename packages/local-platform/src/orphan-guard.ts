import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Tells the guard which process groups to stop should the supervisor die. */
export interface OrphanGuard {
  watch(pgid: number): void;
  unwatch(pgid: number): void;
  /** The supervisor stopped its children itself: the guard exits without signalling anyone. */
  close(): void;
}

/**
 * The supervised services run in their own process groups (so a terminal's Ctrl-C reaches only the supervisor,
 * which then drains them with exactly one SIGTERM). The price: nothing in the kernel stops them when the
 * supervisor dies without running its handlers (SIGKILL, an OOM kill, a crash). Node has no PR_SET_PDEATHSIG, so
 * a small detached process holds the read end of a pipe from the supervisor and stops every listed group once that
 * pipe closes, which the kernel does for any death of the supervisor.
 */
export function startOrphanGuard(graceMs: number): OrphanGuard {
  const guard = spawn(process.execPath, [join(import.meta.dirname, 'orphan-guard-process.ts'), String(graceMs)], {
    stdio: ['pipe', 'ignore', 'inherit'],
    detached: true,
  });
  // Neither the pipe nor the process may keep the supervisor's event loop alive.
  guard.unref();
  const stdin = guard.stdin;
  (stdin as unknown as { unref?: () => void } | null)?.unref?.();
  stdin?.on('error', () => undefined);
  const write = (line: string) => {
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  };
  return {
    watch: (pgid) => write(`+${pgid}`),
    unwatch: (pgid) => write(`-${pgid}`),
    close: () => {
      stdin?.end();
    },
  };
}
