import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultLabel, faults, waitFor } from '@homelab/cluster';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { faultScript, oomStepMiB } from './fault-script.ts';

/**
 * The drill workload's script, run by this machine's node the way the container runs it (`node -e <script> <port>
 * <labels file> <label key>`), against a labels file in the downward API's format that the test rewrites the way
 * the kubelet does. What a real cgroup does with the growing memory (the OOM kill) cannot run here; the test only
 * checks that the process allocates and touches the memory.
 */
const dir = mkdtempSync(join(tmpdir(), 'fault-script-'));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const freePort = async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
};
/** The downward API's format: one `key="value"` line per label, values quoted as Go's %q does. */
const writeLabels = (file: string, labels: Record<string, string>) =>
  writeFileSync(
    file,
    Object.entries(labels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n'),
  );
const start = async (labels: Record<string, string>) => {
  const file = join(dir, `labels-${children.length}`);
  writeLabels(file, labels);
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', faultScript, String(port), file, faultLabel], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  return { child, file, port, exited, stderr: () => stderr };
};
const get = (port: number) =>
  fetch(`http://127.0.0.1:${port}/`).then(
    (r) => r.status,
    () => undefined,
  );
/** The process's resident memory in MiB, from /proc (Linux: where the drill's containers run). */
const rssMiB = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

describe('the drill workload script', () => {
  it('serves 200 without a fault, then exits 1 once the kubelet writes the crash-loop label', async () => {
    const w = await start({ 'app.kubernetes.io/name': 'api', 'homelab.dev/track': 'stable' });
    await waitFor('the script to serve', async () => ((await get(w.port)) === 200 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    writeLabels(w.file, { 'app.kubernetes.io/name': 'api', [faultLabel]: faults.crashLoop });
    const [code] = await w.exited;
    expect(code).toBe(1);
    expect(w.stderr()).toContain(`fault ${faults.crashLoop}: exiting with status 1`);
  }, 20_000);

  it('a restart with the label still on the pod exits before it ever listens (never Ready)', async () => {
    const w = await start({ [faultLabel]: faults.crashLoop });
    const [code] = await w.exited;
    expect(code).toBe(1);
    expect(w.stderr()).not.toContain('listening');
  }, 20_000);

  it('oom-killed: touches more memory every second (the cgroup limit, not tested here, does the kill)', async () => {
    const w = await start({ 'app.kubernetes.io/name': 'api' });
    await waitFor('the script to serve', async () => ((await get(w.port)) === 200 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    const before = rssMiB(w.child.pid as number);
    writeLabels(w.file, { [faultLabel]: faults.oomKilled });
    await waitFor(
      'two allocations',
      async () => (w.stderr().includes(`holding ${2 * oomStepMiB} MiB`) ? true : undefined),
      {
        timeoutMs: 10_000,
        intervalMs: 100,
      },
    );
    // Filled with 1s, so the pages are resident, not just reserved: that is what the memory cgroup counts.
    expect(rssMiB(w.child.pid as number) - before).toBeGreaterThanOrEqual(2 * oomStepMiB * 0.9);
    expect(await get(w.port)).toBe(200);
  }, 20_000);

  it('exits 0 on SIGTERM by itself (as PID 1 in a container an unhandled SIGTERM is ignored)', async () => {
    const w = await start({ 'app.kubernetes.io/name': 'api' });
    await waitFor('the script to serve', async () => ((await get(w.port)) === 200 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    w.child.kill('SIGTERM');
    // Killed by the signal, the exit would be [null, 'SIGTERM']; the handler makes it a clean exit.
    expect(await w.exited).toEqual([0, null]);
  }, 20_000);
});
