import { type ChildProcess, spawn } from 'node:child_process';
import { findBinary } from './binaries.ts';
import { freePort, waitForPort } from './free-port.ts';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: the server vanishes mid-request, as in an OOM kill. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: no persistence). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const redisAvailable = (): boolean => findBinary('redis-server') !== undefined;

/** Starts a throwaway Redis from Debian's `redis-server` on a free loopback port, without persistence. */
export async function startRedis(): Promise<RedisServer> {
  const binary = findBinary('redis-server');
  if (!binary) throw new Error('redis-server is not installed');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitForPort(port);
  };
  const killWith = async (signal: NodeJS.Signals) => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      current.kill(signal);
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => killWith('SIGKILL'),
    stop: () => killWith('SIGTERM'),
    async start() {
      if (!child) await start();
    },
  };
}
