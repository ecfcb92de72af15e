import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Resources } from '@homelab/platform';
import { type Cgroups, limitsFor } from './cgroups.ts';
import { childEnv } from './env.ts';
import { splitLines } from './log-lines.ts';
import { type OrphanGuard, startOrphanGuard } from './orphan-guard.ts';
import { type Termination, terminationOf } from './termination.ts';

/** One supervised process. */
export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** URL answering 200 once the process is ready. */
  readonly readyUrl?: string;
  /** The app's Kubernetes container resources: its memory limit and CPU request apply when cgroups are on. */
  readonly resources?: Resources;
  /** Or: a loopback TCP port that accepts connections once the process is ready (a database). */
  readonly readyTcpPort?: number;
  /** Names of processes that must be ready before this one starts (a database before its clients). Default none. */
  readonly after?: readonly string[];
}

export interface SupervisorOptions {
  /** Receives every output line and the supervisor's own messages. */
  readonly log: (name: string, line: string) => void;
  /** First restart delay; doubles per crash up to `maxBackoffMs`. Default 1000. */
  readonly initialBackoffMs?: number;
  /** Default 30 000. */
  readonly maxBackoffMs?: number;
  /** A process that ran this long is considered healthy again: the back-off resets. Default 30 000. */
  readonly resetAfterMs?: number;
  /** SIGTERM first; SIGKILL after this. Default 20 000 (the services drain within shutdown.drainSeconds). */
  readonly killAfterMs?: number;
  /** Per-process cgroups (see cgroups.ts); default none: no limits. */
  readonly cgroups?: Cgroups;
  /** Called after every exit with how the process ended (kubelet's lastState.terminated). */
  readonly onExit?: (name: string, termination: Termination) => void;
  /**
   * Start an orphan guard (orphan-guard.ts) that stops every child's process group should this process die
   * without stopping them (SIGKILL, a crash). Default false; `homelab up` turns it on.
   */
  readonly orphanGuard?: boolean;
}

export interface Supervised {
  readonly spec: ProcessSpec;
  readonly pid: number | undefined;
  readonly restarts: number;
  /** How the previous run ended, like a pod's `lastState.terminated`. */
  readonly lastTermination: Termination | undefined;
}

export interface Supervisor {
  readonly processes: readonly Supervised[];
  /** Resolves once every process with a `readyUrl` answers 200; rejects after `timeoutMs`. */
  waitUntilReady(timeoutMs: number): Promise<void>;
  /**
   * SIGTERM to all (dependents first, all at once; then what they depend on), SIGKILL stragglers; resolves when
   * all exited.
   */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a process answers its readiness check: 200 from `readyUrl`, or a TCP connect to `readyTcpPort`. */
const hasReadiness = (spec: ProcessSpec) => spec.readyUrl !== undefined || spec.readyTcpPort !== undefined;

async function urlReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

const portReady = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', timeout: 2_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });

const isReady = (spec: ProcessSpec) =>
  spec.readyUrl !== undefined ? urlReady(spec.readyUrl) : portReady(spec.readyTcpPort as number);

interface Stoppable {
  readonly spec: ProcessSpec;
  readonly child: ChildProcess | undefined;
  readonly exited: Promise<void>;
}

/**
 * SIGTERM to dependents first, all at once, then to what they depend on (a draining API still reaches its
 * database); SIGKILL to whatever is still running `killAfter` ms after its SIGTERM.
 */
async function stopInOrder(
  states: readonly Stoppable[],
  killAfter: number,
  log: SupervisorOptions['log'],
): Promise<void> {
  const isRunning = (s: Stoppable) => s.child !== undefined && s.child.exitCode === null && s.child.signalCode === null;
  const stopAll = async (group: readonly Stoppable[]) => {
    const running = group.filter(isRunning);
    for (const state of running) state.child?.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const state of running) {
        if (isRunning(state)) {
          log(state.spec.name, `still running after ${killAfter} ms: SIGKILL`);
          state.child?.kill('SIGKILL');
        }
      }
    }, killAfter);
    await Promise.all(running.map((s) => s.exited));
    clearTimeout(killer);
  };
  const dependedOn = new Set(states.flatMap((s) => s.spec.after ?? []));
  await stopAll([...states].reverse().filter((s) => !dependedOn.has(s.spec.name)));
  await stopAll([...states].reverse().filter((s) => dependedOn.has(s.spec.name)));
}

/**
 * Starts processes and keeps them running the way a kubelet would: a process that exits unexpectedly is
 * restarted after a back-off that doubles per crash (CrashLoopBackOff) and resets once it has stayed up.
 */
export function supervise(specs: readonly ProcessSpec[], options: SupervisorOptions): Supervisor {
  const initial = options.initialBackoffMs ?? 1_000;
  const max = options.maxBackoffMs ?? 30_000;
  const resetAfter = options.resetAfterMs ?? 30_000;
  const killAfter = options.killAfterMs ?? 20_000;
  let stopping = false;
  const guard: OrphanGuard | undefined = options.orphanGuard ? startOrphanGuard(killAfter) : undefined;

  const states = specs.map((spec) => {
    const state = {
      spec,
      child: undefined as ChildProcess | undefined,
      restarts: 0,
      crashes: 0,
      exited: Promise.resolve(),
      restartTimer: undefined as NodeJS.Timeout | undefined,
      lastTermination: undefined as Termination | undefined,
      cgroup: spec.resources ? options.cgroups?.create(spec.name, limitsFor(spec.resources)) : undefined,
      get pid() {
        return state.child?.pid;
      },
    };
    return state;
  });

  const start = (state: (typeof states)[number]) => {
    const { spec } = state;
    const startedAt = Date.now();
    const oomKillsBefore = state.cgroup?.oomKills() ?? 0;
    const { command, args } = state.cgroup?.wrap(spec.command, spec.args) ?? spec;
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: childEnv(spec.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C reaches only the supervisor, which then sends exactly one
      // SIGTERM. A second signal would cut the service's graceful drain short.
      detached: true,
    });
    state.child = child;
    // detached: the child leads its own process group, whose id is its pid.
    if (child.pid) guard?.watch(child.pid);
    options.log(spec.name, `started (pid ${child.pid})`);
    const onLine = (line: string) => options.log(spec.name, line);
    child.stdout?.on('data', splitLines(onLine));
    child.stderr?.on('data', splitLines(onLine));
    state.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (child.pid) guard?.unwatch(child.pid);
        const termination = terminationOf(code, signal, state.cgroup, oomKillsBefore);
        state.lastTermination = termination;
        resolve();
        options.onExit?.(spec.name, termination);
        if (stopping) {
          options.log(spec.name, `exited (${signal ?? `code ${code}`})`);
          return;
        }
        if (Date.now() - startedAt >= resetAfter) state.crashes = 0;
        const delay = Math.min(max, initial * 2 ** state.crashes);
        state.crashes += 1;
        options.log(spec.name, `exited unexpectedly (${termination.message}); restarting in ${delay} ms`);
        state.restartTimer = setTimeout(() => {
          state.restartTimer = undefined;
          if (stopping) return;
          state.restarts += 1;
          start(state);
        }, delay);
      });
    });
    child.once('error', (error) => options.log(spec.name, `failed to start: ${error.message}`));
  };

  // A process with `after` starts once those are ready; the rest start at once.
  const startWhenDependenciesReady = async (state: (typeof states)[number]) => {
    const needed = states.filter((s) => state.spec.after?.includes(s.spec.name) && hasReadiness(s.spec));
    for (const dependency of needed) {
      while (!stopping && !(await isReady(dependency.spec))) await sleep(200);
    }
    if (!stopping) start(state);
  };
  for (const state of states) {
    if (state.spec.after?.length) void startWhenDependenciesReady(state);
    else start(state);
  }

  return {
    processes: states,
    async waitUntilReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const pending = new Set(states.filter((s) => hasReadiness(s.spec)));
      while (pending.size > 0) {
        for (const state of [...pending]) {
          if (await isReady(state.spec)) pending.delete(state);
        }
        if (pending.size === 0) return;
        if (stopping) throw new Error('stopped before ready');
        if (Date.now() > deadline) {
          throw new Error(`not ready within ${timeoutMs} ms: ${[...pending].map((s) => s.spec.name).join(', ')}`);
        }
        await sleep(200);
      }
    },
    async stop() {
      stopping = true;
      for (const state of states) if (state.restartTimer) clearTimeout(state.restartTimer);
      await stopInOrder(states, killAfter, options.log);
      for (const state of states) state.cgroup?.remove();
      guard?.close();
    },
  };
}
