import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { http } from '@homelab/platform';
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

/**
 * Starts `apps/<app>/src/main.ts` on a free port with the given environment and waits for /readyz.
 * Throws with the process' output when it exits or is not ready in time.
 */
export async function startServiceProcess(
  app: 'api' | 'gateway',
  env: Record<string, string>,
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  const { timeoutMs = 60_000, nodeArgs = [], captureStdout = true } = options;
  const port = options.port ?? (await freePort());
  const main = resolve(repositoryRoot, `apps/${app}/src/main.ts`);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, main], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
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
    if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}:\n${output.join('')}`);
    const ready = await fetch(url + http.paths.readiness)
      .then(async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      })
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${app} not ready within ${timeoutMs} ms:\n${output.join('')}`);
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
