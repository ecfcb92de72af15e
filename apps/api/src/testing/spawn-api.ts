import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitForPort } from '@homelab/test-servers';
import { testIdentitySecret } from './identity.ts';

export const apiMain = join(import.meta.dirname, '..', 'main.ts');

export interface SpawnedApi {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  /** Resolves with the exit code (or signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  readonly output: () => string;
}

/** Starts the real API process (`node src/main.ts`) on a free port with the given environment. */
export async function spawnApi(env: Record<string, string>): Promise<SpawnedApi> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [apiMain], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      IDENTITY_TOKEN_SECRET: testIdentitySecret,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  await Promise.race([
    waitForPort(port, 30_000),
    exited.then((code) => {
      throw new Error(`the API exited (${code}) before listening:\n${output}`);
    }),
  ]);
  return { child, url: `http://127.0.0.1:${port}`, port, exited, output: () => output };
}
