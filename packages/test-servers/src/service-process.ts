import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { http } from '@homelab/platform';
import { childEnv } from './env.ts';
import { freePort } from './free-port.ts';

/** A service started as its own process (as in production: its own event loop), for tests and benchmarks. */
export interface ServiceProcess {
  readonly pid: number;
  readonly url: string;
  readonly port: number;
  readonly output: string[];
  /** SIGTERM (or the given signal) and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The identity-token key both test processes share (never a deployed key). */
export const testIdentitySecret = 'test-only-identity-token-secret-0123456789';

const repositoryRoot = resolve(import.meta.dirname, '../../..');

export interface ServiceProcessOptions {
  /** Default 60 s. */
  readonly timeoutMs?: number;
  /** Extra node flags, e.g. `--cpu-prof`. Default none. */
  readonly nodeArgs?: readonly string[];
  /**
   * Default true: stdout is kept in `output` (tests assert on the log). Benchmarks send it to /dev/null instead,
   * as a container runtime consumes it, so the parent does not pay for reading the access log.
   */
  readonly captureStdout?: boolean;
  /** Default: a free port. A fixed one lets a restarted process take its predecessor's place. */
  readonly port?: number;
}

/** How to start one service process: what `startProcessUntilReady` spawns and names in its errors. */
export interface ProcessLaunch {
  /** Named in the errors (`api`, `go API`). */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** The environment under the test's own: default this process' environment. */
  readonly baseEnv?: NodeJS.ProcessEnv;
}

/**
 * Spawns `launch` on a free port (PORT) with the test identity-token key, warn-level logs and `env`, and waits
 * for /readyz. Throws with the process' output when it exits or is not ready in time. Any implementation of a
 * service (the TS apps, the Go API) starts through here.
 */
export async function startProcessUntilReady(
  launch: ProcessLaunch,
  env: Record<string, string>,
  options: Omit<ServiceProcessOptions, 'nodeArgs'> = {},
): Promise<ServiceProcess> {
  const { timeoutMs = 60_000, captureStdout = true } = options;
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn(launch.command, [...launch.args], {
    cwd: repositoryRoot,
    env: {
      ...(launch.baseEnv ?? childEnv()),
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      IDENTITY_TOKEN_SECRET: testIdentitySecret,
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${launch.name} exited with ${child.exitCode}:\n${output.join('')}`);
    const ready = await fetch(url + http.paths.readiness)
      .then(async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      })
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${launch.name} not ready within ${timeoutMs} ms:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid as number,
    url,
    port,
    output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Starts `apps/<app>/src/main.ts` on a free port with the given environment and waits for /readyz.
 * Throws with the process' output when it exits or is not ready in time.
 */
export function startServiceProcess(
  app: 'api' | 'gateway',
  env: Record<string, string>,
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  const main = resolve(repositoryRoot, `apps/${app}/src/main.ts`);
  return startProcessUntilReady(
    { name: app, command: process.execPath, args: [...(options.nodeArgs ?? []), main] },
    env,
    options,
  );
}
