import { resolve } from 'node:path';
import { startProcessUntilReady } from '@homelab/test-servers';
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
  const [command, args] =
    impl === 'go' ? [await goApiBinary(), []] : [process.execPath, [resolve(repositoryRoot, 'apps/api/src/main.ts')]];
  // Only PATH from this process: both implementations see exactly the env contract the test gives them.
  const started = await startProcessUntilReady(
    { name: `${impl} API`, command, args, baseEnv: { PATH: process.env.PATH ?? '' } },
    env,
    options,
  );
  return { impl, ...started, stop: started.stop };
}
