import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { realServersRequired } from '@homelab/test-servers';
import { detectCgroupMounts } from '../src/host/cgroup.ts';

/** Test-only: real processes with a known behaviour for the host checks to find in the real /proc. */

const started: ChildProcess[] = [];

/**
 * Starts `node -e script` through `sh` so a shell prefix (`ulimit -n 64;`, joining a cgroup) applies to it alone.
 * The script writes `ready` once it is in the state under test.
 */
export async function startNode(script: string, shellPrefix = ''): Promise<ChildProcess> {
  const child = spawn('sh', ['-c', `${shellPrefix} exec "${process.execPath}" -e "$SCRIPT"`], {
    env: { ...process.env, SCRIPT: script },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`test process exited early: ${code ?? signal}`)));
  });
  return child;
}

export const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
    : new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

export async function stopAll(): Promise<void> {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
}

/** A fresh memory cgroup with a limit, or undefined (with a notice) where this machine does not allow one. */
export function memoryCgroup(
  name: string,
  limitBytes: number,
): { path: string; join: string; remove(): void } | undefined {
  const mounts = detectCgroupMounts();
  const base = mounts.v2 ?? mounts.memoryV1;
  const path = `/${name}`;
  try {
    if (!base) throw new Error('no cgroup v2 with memory, no cgroup v1 memory controller');
    const dir = join(base, name);
    if (!existsSync(dir)) mkdirSync(dir);
    if (mounts.v2) {
      writeFileSync(join(dir, 'memory.max'), String(limitBytes));
      // Swap would turn the OOM kill under test into slow paging.
      if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
    } else {
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
      writeFileSync(join(dir, 'memory.swappiness'), '0');
    }
    return {
      path,
      join: `echo $$ > ${join(dir, 'cgroup.procs')};`,
      remove: () => {
        for (let i = 0; i < 20; i++) {
          try {
            rmdirSync(dir);
            return;
          } catch {
            // the killed process is still being reaped
          }
        }
      },
    };
  } catch (error) {
    if (realServersRequired()) throw new Error(`a memory cgroup is required under CI: ${(error as Error).message}`);
    process.stderr.write(`NOTICE: memory cgroup tests skipped: ${(error as Error).message}\n`);
    return undefined;
  }
}

export const settle = (ms: number) => sleep(ms);
