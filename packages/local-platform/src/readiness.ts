import { connect } from 'node:net';
import type { ProcessSpec } from './supervisor.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a process answers its readiness check: 200 from `readyUrl`, or a TCP connect to `readyTcpPort`. */
export const hasReadiness = (spec: ProcessSpec) => spec.readyUrl !== undefined || spec.readyTcpPort !== undefined;

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

/** Polls each spec until it is ready; gives up quietly once `stopping()` says the supervisor is stopping. */
export async function waitForEach(specs: readonly ProcessSpec[], stopping: () => boolean): Promise<void> {
  for (const spec of specs) {
    while (!stopping() && !(await isReady(spec))) await sleep(200);
  }
}

/**
 * Resolves once every process with a readiness check answers; rejects when the supervisor stops first or after
 * `timeoutMs`, naming the processes still not ready.
 */
export async function waitUntilAllReady(
  processes: readonly { readonly spec: ProcessSpec }[],
  timeoutMs: number,
  stopping: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(processes.filter((p) => hasReadiness(p.spec)));
  while (pending.size > 0) {
    for (const p of [...pending]) {
      if (await isReady(p.spec)) pending.delete(p);
    }
    if (pending.size === 0) return;
    if (stopping()) throw new Error('stopped before ready');
    if (Date.now() > deadline) {
      throw new Error(`not ready within ${timeoutMs} ms: ${[...pending].map((p) => p.spec.name).join(', ')}`);
    }
    await sleep(200);
  }
}
