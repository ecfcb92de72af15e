import { type ChildProcess, spawn } from 'node:child_process';
import type { Resources } from '@homelab/platform';
import { type Cgroups, limitsFor, type ServiceCgroup } from './cgroups.ts';
import { childEnv } from './env.ts';
import { splitLines } from './log-lines.ts';
import { type OrphanGuard, startOrphanGuard } from './orphan-guard.ts';
import { hasReadiness, waitForEach, waitUntilAllReady } from './readiness.ts';
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

/** One process as the supervisor keeps it; `Supervised` is what callers see of it. */
interface ProcessState extends Stoppable, Supervised {
  child: ChildProcess | undefined;
  exited: Promise<void>;
  restarts: number;
  lastTermination: Termination | undefined;
  /** Crashes since the process last stayed up `resetAfterMs`: the exponent of the back-off. */
  crashes: number;
  restartTimer: NodeJS.Timeout | undefined;
  readonly cgroup: ServiceCgroup | undefined;
}

/** What every step of one supervisor shares: its settings with defaults, the orphan guard, whether it stops. */
interface Run {
  readonly options: SupervisorOptions;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly resetAfterMs: number;
  readonly killAfterMs: number;
  readonly guard: OrphanGuard | undefined;
  stopping: boolean;
}

function newRun(options: SupervisorOptions): Run {
  const killAfterMs = options.killAfterMs ?? 20_000;
  return {
    options,
    initialBackoffMs: options.initialBackoffMs ?? 1_000,
    maxBackoffMs: options.maxBackoffMs ?? 30_000,
    resetAfterMs: options.resetAfterMs ?? 30_000,
    killAfterMs,
    guard: options.orphanGuard ? startOrphanGuard(killAfterMs) : undefined,
    stopping: false,
  };
}

/** The process' bookkeeping, with its cgroup (limits from its resources) made before it first starts. */
function trackProcess(spec: ProcessSpec, cgroups: Cgroups | undefined): ProcessState {
  const state: ProcessState = {
    spec,
    child: undefined,
    restarts: 0,
    crashes: 0,
    exited: Promise.resolve(),
    restartTimer: undefined,
    lastTermination: undefined,
    cgroup: spec.resources ? cgroups?.create(spec.name, limitsFor(spec.resources)) : undefined,
    get pid() {
      return state.child?.pid;
    },
  };
  return state;
}

function spawnInOwnGroup(spec: ProcessSpec, cgroup: ServiceCgroup | undefined): ChildProcess {
  const { command, args } = cgroup?.wrap(spec.command, spec.args) ?? spec;
  return spawn(command, args, {
    cwd: spec.cwd,
    env: childEnv(spec.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only the supervisor, which then sends exactly one
    // SIGTERM. A second signal would cut the service's graceful drain short.
    detached: true,
  });
}

function start(run: Run, state: ProcessState): void {
  const { spec } = state;
  const startedAt = Date.now();
  const oomKillsBefore = state.cgroup?.oomKills() ?? 0;
  const child = spawnInOwnGroup(spec, state.cgroup);
  state.child = child;
  // detached: the child leads its own process group, whose id is its pid.
  if (child.pid) run.guard?.watch(child.pid);
  run.options.log(spec.name, `started (pid ${child.pid})`);
  const onLine = (line: string) => run.options.log(spec.name, line);
  child.stdout?.on('data', splitLines(onLine));
  child.stderr?.on('data', splitLines(onLine));
  state.exited = whenExited(run, state, child, startedAt, oomKillsBefore);
  child.once('error', (error) => run.options.log(spec.name, `failed to start: ${error.message}`));
}

/** Resolves when the child exits, with how it ended recorded; then restarts it unless the supervisor is stopping. */
function whenExited(
  run: Run,
  state: ProcessState,
  child: ChildProcess,
  startedAt: number,
  oomKillsBefore: number,
): Promise<void> {
  const { name } = state.spec;
  return new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      if (child.pid) run.guard?.unwatch(child.pid);
      const termination = terminationOf(code, signal, state.cgroup, oomKillsBefore);
      state.lastTermination = termination;
      resolve();
      run.options.onExit?.(name, termination);
      if (run.stopping) run.options.log(name, `exited (${signal ?? `code ${code}`})`);
      else restartAfterBackoff(run, state, startedAt, termination);
    });
  });
}

/** CrashLoopBackOff: the delay doubles per crash, back to the first once the process had stayed up long enough. */
function restartAfterBackoff(run: Run, state: ProcessState, startedAt: number, termination: Termination): void {
  if (Date.now() - startedAt >= run.resetAfterMs) state.crashes = 0;
  const delay = Math.min(run.maxBackoffMs, run.initialBackoffMs * 2 ** state.crashes);
  state.crashes += 1;
  run.options.log(state.spec.name, `exited unexpectedly (${termination.message}); restarting in ${delay} ms`);
  state.restartTimer = setTimeout(() => {
    state.restartTimer = undefined;
    if (run.stopping) return;
    state.restarts += 1;
    start(run, state);
  }, delay);
}

/** A process with `after` starts once those are ready; the rest start at once. */
function startAll(run: Run, states: readonly ProcessState[]): void {
  for (const state of states) {
    if (state.spec.after?.length) void startWhenDependenciesReady(run, states, state);
    else start(run, state);
  }
}

async function startWhenDependenciesReady(run: Run, states: readonly ProcessState[], state: ProcessState) {
  const needed = states.filter((s) => state.spec.after?.includes(s.spec.name) && hasReadiness(s.spec));
  await waitForEach(
    needed.map((s) => s.spec),
    () => run.stopping,
  );
  if (!run.stopping) start(run, state);
}

async function stopSupervised(run: Run, states: readonly ProcessState[]): Promise<void> {
  run.stopping = true;
  for (const state of states) if (state.restartTimer) clearTimeout(state.restartTimer);
  await stopInOrder(states, run.killAfterMs, run.options.log);
  for (const state of states) state.cgroup?.remove();
  run.guard?.close();
}

/**
 * Starts processes and keeps them running the way a kubelet would: a process that exits unexpectedly is
 * restarted after a back-off that doubles per crash (CrashLoopBackOff) and resets once it has stayed up.
 */
export function supervise(specs: readonly ProcessSpec[], options: SupervisorOptions): Supervisor {
  const run = newRun(options);
  const states = specs.map((spec) => trackProcess(spec, options.cgroups));
  startAll(run, states);
  return {
    processes: states,
    waitUntilReady: (timeoutMs) => waitUntilAllReady(states, timeoutMs, () => run.stopping),
    stop: () => stopSupervised(run, states),
  };
}
