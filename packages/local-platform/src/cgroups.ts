import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resources } from '@homelab/platform';

/**
 * Per-service cgroups for the local supervisor, so the memory limit an app has in Kubernetes bites locally too.
 *
 * - cgroup v2: `memory.max` and `cpu.weight` in a child of the supervisor's own cgroup; OOM kills are counted in
 *   `memory.events` (`oom_kill`).
 * - cgroup v1 (hybrid hosts, some sandboxes and CI VMs): `memory.limit_in_bytes` in the memory hierarchy and
 *   `cpu.shares` in the cpu hierarchy; OOM kills are counted in `memory.oom_control` (`oom_kill`, Linux >= 4.13).
 * - Neither writable (no root, a read-only /sys/fs/cgroup): no limits and one notice saying so.
 *
 * CPU gets the request as a weight, never a quota: the platform sets no CPU limit (ADR 0003), and the kubelet
 * turns a CPU request into exactly these shares. The services' cgroups sit in one group of their own with the
 * default weight, as pods sit in the kubelet's `kubepods` slice: the requests divide the CPU among the services,
 * and the group as a whole competes evenly with the rest of the machine. Without that parent a 50m request
 * (51 shares) competes with every other process at 1024 and a busy shared machine starves the start-up (measured:
 * 48 s instead of 3 s for the api).
 */
export type CgroupMode = 'v2' | 'v1' | 'none';

/** What the supervisor applies to one process, from the app's Kubernetes container resources. */
export interface CgroupLimits {
  readonly memoryBytes: number;
  /** The request in millicores; becomes `cpu.shares` (v1) or `cpu.weight` (v2). */
  readonly cpuMillis: number;
  /** The limit as Kubernetes writes it (`256Mi`), for messages. */
  readonly memoryLimit: string;
}

/** One service's cgroup. */
export interface ServiceCgroup {
  readonly limits: CgroupLimits;
  /** Wraps a command so the process enters the cgroup before it runs (no allocation escapes the limit). */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] };
  /** OOM kills in this cgroup so far. */
  oomKills(): number;
  /** Current memory charged to the cgroup, in bytes. */
  memoryBytes(): number;
  /** Removes the cgroup; its processes must have exited. */
  remove(): void;
}

export interface Cgroups {
  readonly mode: CgroupMode;
  /** Why limits are off (mode `none`), or undefined. */
  readonly notice: string | undefined;
  /** A fresh cgroup for `name`, or undefined when limits are off. */
  create(name: string, limits: CgroupLimits): ServiceCgroup | undefined;
}

const binaryUnits: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const decimalUnits: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes memory quantity (`256Mi`, `1G`, `134217728`) in bytes. */
export function memoryQuantityBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: "${quantity}"`);
  const unit = match[2];
  const factor = unit === undefined ? 1 : (binaryUnits[unit] ?? decimalUnits[unit] ?? 1);
  return Math.round(Number(match[1]) * factor);
}

/** A Kubernetes CPU quantity (`50m`, `0.5`, `2`) in millicores. */
export function cpuQuantityMillis(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(m)?$/.exec(quantity);
  if (!match) throw new Error(`not a CPU quantity: "${quantity}"`);
  return match[2] ? Math.round(Number(match[1])) : Math.round(Number(match[1]) * 1000);
}

/** The limits for a container with these Kubernetes resources. */
export const limitsFor = (resources: Resources): CgroupLimits => ({
  memoryBytes: memoryQuantityBytes(resources.memoryLimit),
  cpuMillis: cpuQuantityMillis(resources.cpuRequest),
  memoryLimit: resources.memoryLimit,
});

/** The kubelet's conversion of a CPU request to v1 shares (MilliCPUToShares: 1024 per core, at least 2). */
export const cpuShares = (millis: number): number => Math.max(2, Math.floor((millis * 1024) / 1000));

/** The kubelet's (runc's) conversion of v1 shares to a v2 weight in [1, 10000]. */
export const cpuWeight = (millis: number): number => 1 + Math.floor(((cpuShares(millis) - 2) * 9999) / 262142);

/** `oom_kill N` from memory.events (v2) or memory.oom_control (v1). */
export function parseOomKills(text: string): number {
  const match = /^oom_kill (\d+)$/m.exec(text);
  return match ? Number(match[1]) : 0;
}

/** The cgroup path of this process for a v1 controller, or the v2 path (`0::`), from /proc/self/cgroup. */
export function ownCgroupPath(procSelfCgroup: string, controller: string | undefined): string | undefined {
  for (const line of procSelfCgroup.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined) continue;
    if (controller === undefined ? controllers === '' : controllers?.split(',').includes(controller)) return path;
  }
  return undefined;
}

const read = (path: string) => readFileSync(path, 'utf8');

/** A shell that moves itself into the cgroups, then becomes the command: same pid, nothing runs outside. */
function wrapInto(procsFiles: readonly string[], command: string, args: readonly string[]) {
  const script = 'for f in $HOMELAB_CGROUP_PROCS; do echo $$ > "$f" || exit 125; done; exec "$@"';
  return {
    command: '/bin/sh',
    args: ['-c', `HOMELAB_CGROUP_PROCS='${procsFiles.join(' ')}'; ${script}`, 'homelab-cgroup', command, ...args],
  };
}

function removeQuietly(dir: string) {
  try {
    rmdirSync(dir);
  } catch {
    // Still populated (a straggler) or already gone: the kernel frees an empty cgroup at reboot at the latest.
  }
}

function v2Cgroups(root: string, own: string, prefix: string): Cgroups {
  const parent = join(v2Parent(root, own), prefix);
  mkdirSync(parent, { recursive: true });
  writeFileSync(join(parent, 'cgroup.subtree_control'), '+memory');
  try {
    writeFileSync(join(parent, 'cgroup.subtree_control'), '+cpu');
  } catch {
    // no cpu controller delegated: weights are skipped
  }
  return {
    mode: 'v2',
    notice: undefined,
    create(name, limits) {
      const dir = join(parent, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
      // Like a container: no swap to hide the overrun in.
      if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
      if (existsSync(join(dir, 'cpu.weight')))
        writeFileSync(join(dir, 'cpu.weight'), String(cpuWeight(limits.cpuMillis)));
      return {
        limits,
        wrap: (command, args) => wrapInto([join(dir, 'cgroup.procs')], command, args),
        oomKills: () => parseOomKills(read(join(dir, 'memory.events'))),
        memoryBytes: () => Number(read(join(dir, 'memory.current'))),
        remove: () => {
          removeQuietly(dir);
          removeQuietly(parent);
        },
      };
    },
  };
}

/**
 * Where the services' cgroups go under v2. The supervisor's own cgroup first (a delegated user slice); v2's "no
 * internal processes" rule forbids enabling controllers for children of a cgroup that has processes itself
 * (EBUSY), so as root the fallback is the root cgroup, which is exempt from that rule.
 */
function v2Parent(root: string, own: string): string {
  const hasMemory = (dir: string) => /\bmemory\b/.test(read(join(dir, 'cgroup.subtree_control')));
  const ownDir = join(root, own);
  if (hasMemory(ownDir)) return ownDir;
  try {
    writeFileSync(join(ownDir, 'cgroup.subtree_control'), '+memory');
    try {
      writeFileSync(join(ownDir, 'cgroup.subtree_control'), '+cpu');
    } catch {
      // no cpu controller: memory limits still apply, weights are skipped (cpu.weight absent)
    }
    return ownDir;
  } catch (error) {
    if (ownDir !== root && hasMemory(root)) return root;
    throw error;
  }
}

function v1Cgroups(root: string, procSelf: string, prefix: string): Cgroups {
  const memoryParent = join(root, 'memory', ownCgroupPath(procSelf, 'memory') ?? '/', prefix);
  const cpuRoot = join(root, 'cpu', ownCgroupPath(procSelf, 'cpu') ?? '/');
  const cpuParent = join(cpuRoot, prefix);
  const withCpu = existsSync(join(cpuRoot, 'cpu.shares'));
  return {
    mode: 'v1',
    notice: undefined,
    create(name, limits) {
      const memory = join(memoryParent, name);
      mkdirSync(memory, { recursive: true });
      writeFileSync(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      // Like a container without swap: the limit on memory+swap equals the memory limit (when swap accounting is on).
      if (existsSync(join(memory, 'memory.memsw.limit_in_bytes'))) {
        try {
          writeFileSync(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
        } catch {
          // swap accounting off: nothing to limit
        }
      }
      const procs = [join(memory, 'cgroup.procs')];
      const cpu = join(cpuParent, name);
      if (withCpu) {
        mkdirSync(cpu, { recursive: true });
        writeFileSync(join(cpu, 'cpu.shares'), String(cpuShares(limits.cpuMillis)));
        procs.push(join(cpu, 'cgroup.procs'));
      }
      return {
        limits,
        wrap: (command, args) => wrapInto(procs, command, args),
        oomKills: () => parseOomKills(read(join(memory, 'memory.oom_control'))),
        memoryBytes: () => Number(read(join(memory, 'memory.usage_in_bytes'))),
        remove: () => {
          removeQuietly(memory);
          removeQuietly(memoryParent);
          if (withCpu) {
            removeQuietly(cpu);
            removeQuietly(cpuParent);
          }
        },
      };
    },
  };
}

const off = (notice: string): Cgroups => ({ mode: 'none', notice, create: () => undefined });

export interface DetectOptions {
  /** Default /sys/fs/cgroup. */
  readonly root?: string;
  /** Default the contents of /proc/self/cgroup. */
  readonly procSelfCgroup?: string;
  /** Names this supervisor's cgroups apart from another's on the same machine. Default `homelab-<pid>`. */
  readonly prefix?: string;
}

/**
 * Finds the cgroup hierarchy this process may write to: v2 with the memory controller, else v1's memory
 * hierarchy, else none (with a notice naming why). Never throws.
 */
export function detectCgroups(options: DetectOptions = {}): Cgroups {
  const root = options.root ?? '/sys/fs/cgroup';
  const prefix = options.prefix ?? `homelab-${process.pid}`;
  if (process.platform !== 'linux') return off(`cgroups exist only on Linux (this is ${process.platform})`);
  let procSelf: string;
  try {
    procSelf = options.procSelfCgroup ?? read('/proc/self/cgroup');
  } catch (error) {
    return off(`cannot read /proc/self/cgroup: ${(error as Error).message}`);
  }
  const reasons: string[] = [];
  if (existsSync(join(root, 'cgroup.controllers'))) {
    const controllers = read(join(root, 'cgroup.controllers'));
    if (/\bmemory\b/.test(controllers)) {
      try {
        const cgroups = v2Cgroups(root, ownCgroupPath(procSelf, undefined) ?? '/', prefix);
        probe(cgroups);
        return cgroups;
      } catch (error) {
        reasons.push(`cgroup v2 not writable (${(error as Error).message})`);
      }
    } else {
      reasons.push('cgroup v2 without the memory controller');
    }
  }
  if (existsSync(join(root, 'memory', 'memory.limit_in_bytes'))) {
    try {
      const cgroups = v1Cgroups(root, procSelf, prefix);
      probe(cgroups);
      return cgroups;
    } catch (error) {
      reasons.push(`cgroup v1 memory hierarchy not writable (${(error as Error).message})`);
    }
  } else if (reasons.length === 0) {
    reasons.push(`no cgroup hierarchy under ${root}`);
  }
  return off(`${reasons.join('; ')}: services run WITHOUT memory and CPU limits`);
}

/** Creates and removes one cgroup, so a read-only hierarchy shows up at detection, not at the first start. */
function probe(cgroups: Cgroups) {
  const test = cgroups.create('probe', { memoryBytes: 64 * 2 ** 20, cpuMillis: 10, memoryLimit: '64Mi' });
  test?.remove();
}
