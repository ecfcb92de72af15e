import { readFileSync } from 'node:fs';
import { npmScript } from './env.ts';

/** A process identified by pid and start time, so a recycled pid is not mistaken for it. */
interface Identity {
  readonly pid: number;
  readonly startTime: string;
}

/** [ppid, starttime] from /proc/<pid>/stat, or undefined when it is gone (zombies count as gone). */
function stat(pid: number): { ppid: number; startTime: string; zombie: boolean } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command (field 2) may hold spaces and parentheses: fields after the last ')' are positional.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), startTime: fields[19] as string, zombie: fields[0] === 'Z' };
  } catch {
    return undefined;
  }
}

const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
};

// npm rewrites its title (`npm start -- ...`), which Linux may show as one argument with spaces.
const isNpm = (pid: number) => /(^|[\s/])npm(-cli\.js)?(\s|$)/.test(commandLine(pid).join(' '));

/**
 * The processes that launched this one and whose death must stop it: the parent, and when started by an npm
 * script (npm sets `npm_lifecycle_event`) every ancestor up to and including npm itself. `npm start` runs
 * `sh -c "bash scripts/start.sh"`, so killing npm (SIGHUP and SIGKILL are not forwarded) leaves the `sh` as our
 * parent: watching only the parent would miss it.
 */
export function launchers(script: string | undefined = npmScript(), self = process.pid): Identity[] {
  const chain: Identity[] = [];
  let pid = stat(self)?.ppid;
  while (pid !== undefined && pid > 1) {
    const info = stat(pid);
    if (!info) break;
    chain.push({ pid, startTime: info.startTime });
    if (!script || isNpm(pid)) break;
    pid = info.ppid;
  }
  return chain;
}

/** The first launcher that has exited (or whose pid now names another process), if any. */
export function goneLauncher(watched: readonly Identity[]): number | undefined {
  return watched.find((p) => {
    const info = stat(p.pid);
    return !info || info.zombie || info.startTime !== p.startTime;
  })?.pid;
}

/**
 * Calls `onGone` once, within about `intervalMs`, after any launcher exits. Node has no PR_SET_PDEATHSIG, so this
 * polls /proc. The timer does not keep the process alive. Returns a function that stops watching.
 */
export function watchLaunchers(onGone: (pid: number) => void, intervalMs = 1_000): () => void {
  const watched = launchers();
  const timer = setInterval(() => {
    const gone = goneLauncher(watched);
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(gone);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
