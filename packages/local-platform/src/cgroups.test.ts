import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apps } from '@homelab/platform';
import { realServersRequired } from '@homelab/test-servers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cpuQuantityMillis,
  cpuShares,
  cpuWeight,
  detectCgroups,
  limitsFor,
  memoryQuantityBytes,
  ownCgroupPath,
  parseOomKills,
} from './cgroups.ts';
import { supervise } from './supervisor.ts';
import type { Termination } from './termination.ts';

describe('resource quantities', () => {
  it('reads Kubernetes memory and CPU quantities', () => {
    expect(memoryQuantityBytes('256Mi')).toBe(268_435_456);
    expect(memoryQuantityBytes('1G')).toBe(1_000_000_000);
    expect(memoryQuantityBytes('1.5Gi')).toBe(1_610_612_736);
    expect(memoryQuantityBytes('4096')).toBe(4096);
    expect(() => memoryQuantityBytes('256MB')).toThrow(/256MB/);
    expect(cpuQuantityMillis('50m')).toBe(50);
    expect(cpuQuantityMillis('0.5')).toBe(500);
    expect(cpuQuantityMillis('2')).toBe(2000);
    expect(() => cpuQuantityMillis('50mc')).toThrow(/50mc/);
  });

  it('converts a CPU request like the kubelet (shares) and runc (weight)', () => {
    expect(cpuShares(50)).toBe(51);
    expect(cpuShares(1)).toBe(2);
    expect(cpuShares(1000)).toBe(1024);
    expect(cpuWeight(1000)).toBe(39);
    expect(cpuWeight(1)).toBe(1);
    expect(limitsFor(apps.api.resources)).toEqual({ memoryBytes: 268_435_456, cpuMillis: 50, memoryLimit: '256Mi' });
  });

  it('reads OOM kill counters and the own cgroup path', () => {
    expect(parseOomKills('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n')).toBe(3);
    expect(parseOomKills('low 0\nhigh 0\nmax 5\noom 2\noom_kill 1\noom_group_kill 0\n')).toBe(1);
    expect(parseOomKills('oom_kill_disable 0\n')).toBe(0);
    const procSelf = '4:memory:/sandbox/abc\n1:cpu,cpuacct:/x\n0::/user.slice/me\n';
    expect(ownCgroupPath(procSelf, 'memory')).toBe('/sandbox/abc');
    expect(ownCgroupPath(procSelf, 'cpu')).toBe('/x');
    expect(ownCgroupPath(procSelf, undefined)).toBe('/user.slice/me');
  });
});

describe('cgroup detection', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const fakeRoot = () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgroup-fake-'));
    dirs.push(dir);
    return dir;
  };

  it('uses v2 with memory.max and cpu.weight when the memory controller is delegated', () => {
    const root = fakeRoot();
    writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    mkdirSync(join(root, 'user.slice'));
    writeFileSync(join(root, 'user.slice', 'cgroup.subtree_control'), 'cpu memory\n');
    const cgroups = detectCgroups({ root, procSelfCgroup: '0::/user.slice\n', prefix: 't' });
    expect(cgroups.mode).toBe('v2');
    const dir = join(root, 'user.slice', 't', 'api');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.weight'), '100');
    cgroups.create('api', limitsFor(apps.api.resources));
    expect(readFileSync(join(dir, 'memory.max'), 'utf8')).toBe('268435456');
    expect(readFileSync(join(dir, 'cpu.weight'), 'utf8')).toBe(String(cpuWeight(50)));
  });

  it('falls back to v1 (memory.limit_in_bytes, cpu.shares) on a hybrid host', () => {
    const root = fakeRoot();
    mkdirSync(join(root, 'memory', 'box'), { recursive: true });
    writeFileSync(join(root, 'memory', 'memory.limit_in_bytes'), '9223372036854771712');
    mkdirSync(join(root, 'cpu'), { recursive: true });
    writeFileSync(join(root, 'cpu', 'cpu.shares'), '1024');
    const cgroups = detectCgroups({ root, procSelfCgroup: '4:memory:/box\n1:cpu:/\n0::/\n', prefix: 't' });
    expect(cgroups.mode).toBe('v1');
    cgroups.create('gateway', limitsFor(apps.gateway.resources));
    expect(readFileSync(join(root, 'memory', 'box', 't', 'gateway', 'memory.limit_in_bytes'), 'utf8')).toBe(
      '201326592',
    );
    expect(readFileSync(join(root, 'cpu', 't', 'gateway', 'cpu.shares'), 'utf8')).toBe('51');
  });

  it('turns limits off with a notice naming why when nothing is there', () => {
    const cgroups = detectCgroups({ root: fakeRoot(), procSelfCgroup: '0::/\n' });
    expect(cgroups.mode).toBe('none');
    expect(cgroups.notice).toMatch(/no cgroup hierarchy .* WITHOUT memory and CPU limits/);
    expect(cgroups.create('api', limitsFor(apps.api.resources))).toBeUndefined();
  });
});

describe('supervisor under real cgroup limits', () => {
  const cgroups = detectCgroups();
  const required = realServersRequired();
  if (cgroups.mode === 'none' && !required) {
    console.warn(`SKIPPED real OOM kill test: ${cgroups.notice}`);
  }

  it.skipIf(cgroups.mode === 'none' && !required)(
    'reports a memory hog over its limit as OOMKilled with the limit, and restarts it',
    async () => {
      expect(cgroups.notice, 'cgroups must be writable where real servers are required').toBeUndefined();
      const lines: string[] = [];
      const exits: Termination[] = [];
      const supervisor = supervise(
        [
          {
            name: 'hog',
            command: process.execPath,
            // Touches every page it allocates (fill), 8 MiB at a time, until the kernel stops it.
            args: ['-e', 'const held = []; setInterval(() => held.push(Buffer.alloc(8 << 20, 1)), 5)'],
            env: {},
            cwd: process.cwd(),
            resources: { cpuRequest: '50m', memoryRequest: '32Mi', memoryLimit: '96Mi', ephemeralStorage: '16Mi' },
          },
        ],
        {
          log: (name, line) => lines.push(`${name}: ${line}`),
          cgroups,
          initialBackoffMs: 50,
          onExit: (_name, termination) => exits.push(termination),
        },
      );
      const deadline = Date.now() + 20_000;
      while (exits.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await supervisor.stop();
      expect(exits[0]?.reason).toBe('OOMKilled');
      expect(exits[0]?.memoryLimit).toBe('96Mi');
      expect(exits[0]?.signal).toBe('SIGKILL');
      expect(exits[1]?.reason, 'restarted and killed again, the same way').toBe('OOMKilled');
      expect(lines).toContain(
        'hog: exited unexpectedly (OOMKilled: memory limit 96Mi exceeded (SIGKILL)); restarting in 50 ms',
      );
    },
  );

  it.skipIf(cgroups.mode === 'none')('does not call a plain SIGKILL an OOM kill', async () => {
    const exits: Termination[] = [];
    const supervisor = supervise(
      [
        {
          name: 'idle',
          command: process.execPath,
          args: ['-e', 'console.log("up"); setInterval(() => {}, 1000)'],
          env: {},
          cwd: process.cwd(),
          resources: apps.api.resources,
        },
      ],
      { log: () => {}, cgroups, onExit: (_n, t) => exits.push(t) },
    );
    await new Promise((r) => setTimeout(r, 500));
    const pid = supervisor.processes[0]?.pid as number;
    process.kill(pid, 'SIGKILL');
    while (exits.length === 0) await new Promise((r) => setTimeout(r, 20));
    await supervisor.stop();
    expect(exits[0]).toMatchObject({ reason: 'Error', signal: 'SIGKILL', memoryLimit: '256Mi' });
  });
});
