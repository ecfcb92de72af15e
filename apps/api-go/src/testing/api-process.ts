import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { http } from '@homelab/platform';
import { freePort, testIdentitySecret } from '@homelab/test-servers';
import { goApiBinary } from './go-binary.ts';

/** Which implementation of the notes API. */
export type ApiImpl = 'ts' | 'go';
export const apiImpls: readonly ApiImpl[] = ['ts', 'go'];

export interface ApiProcess {
  readonly impl: ApiImpl;
  readonly pid: number;
  readonly url: string;
  readonly port: number;
  readonly output: string[];
  /** SIGTERM (or the given signal); resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const repositoryRoot = resolve(import.meta.dirname, '../../../..');

export interface StartApiOptions {
  /** Default 60 s. */
  readonly timeoutMs?: number;
  /** Default: a free port. */
  readonly port?: number;
  /** Default true; benchmarks drop the access log like a container runtime would consume it. */
  readonly captureStdout?: boolean;
}

/**
 * Starts one implementation as its own process with the same environment (the shared env contract) and waits
 * for /readyz. The Go binary comes from a cached `go build`.
 */
export async function startApi(
  impl: ApiImpl,
  env: Record<string, string>,
  options: StartApiOptions = {},
): Promise<ApiProcess> {
  const { timeoutMs = 60_000, captureStdout = true } = options;
  const port = options.port ?? (await freePort());
  const [command, args] =
    impl === 'go' ? [await goApiBinary(), []] : [process.execPath, [resolve(repositoryRoot, 'apps/api/src/main.ts')]];
  const child: ChildProcess = spawn(command, args, {
    cwd: repositoryRoot,
    env: {
      PATH: process.env.PATH ?? '',
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
    if (child.exitCode !== null) throw new Error(`${impl} API exited with ${child.exitCode}:\n${output.join('')}`);
    const ready = await fetch(url + http.paths.readiness)
      .then(async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      })
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${impl} API not ready within ${timeoutMs} ms:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    impl,
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
