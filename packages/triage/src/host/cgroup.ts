import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appNames } from '@homelab/platform';
import { parseKeyValue } from './proc.ts';

/** Memory accounting of one cgroup, the same numbers on cgroup v2 and v1. */
export interface CgroupMemory {
  readonly version: 1 | 2;
  /** Path inside the hierarchy, e.g. `/homelab/api`. */
  readonly path: string;
  /** Undefined when unlimited. */
  readonly limitBytes?: number;
  readonly usageBytes: number;
  /** Usage less inactive file cache: what the kubelet calls the working set and what the OOM killer cannot reclaim. */
  readonly workingSetBytes: number;
  /** OOM kills inside this cgroup since it was created. */
  readonly oomKills: number;
  readonly pids: readonly number[];
}

/** Where the hierarchies are mounted: pure v2, or v1 with the memory controller (hybrid hosts have both). */
export interface CgroupMounts {
  readonly v2?: string;
  readonly memoryV1?: string;
}

export function detectCgroupMounts(root = '/sys/fs/cgroup'): CgroupMounts {
  if (existsSync(join(root, 'cgroup.controllers'))) {
    const controllers = readFileSync(join(root, 'cgroup.controllers'), 'utf8');
    if (controllers.includes('memory')) return { v2: root };
  }
  return existsSync(join(root, 'memory', 'memory.limit_in_bytes')) ? { memoryV1: join(root, 'memory') } : {};
}

const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

// v1 reports "no limit" as the largest page-aligned 64-bit number.
const v1Unlimited = 2 ** 62;

/** Reads one cgroup's memory files; undefined when it does not exist (any more). */
export function readCgroupMemory(mounts: CgroupMounts, path: string): CgroupMemory | undefined {
  const pidsOf = (dir: string) => (read(join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean).map(Number);
  if (mounts.v2) {
    const dir = join(mounts.v2, path);
    const current = read(join(dir, 'memory.current'));
    if (current === undefined) return undefined;
    const max = read(join(dir, 'memory.max'));
    const stat = parseKeyValue(read(join(dir, 'memory.stat')) ?? '');
    const events = parseKeyValue(read(join(dir, 'memory.events')) ?? '');
    const usage = Number(current);
    return {
      version: 2,
      path,
      ...(max && max !== 'max' ? { limitBytes: Number(max) } : {}),
      usageBytes: usage,
      workingSetBytes: Math.max(0, usage - (stat.inactive_file ?? 0)),
      oomKills: events.oom_kill ?? 0,
      pids: pidsOf(dir),
    };
  }
  if (mounts.memoryV1) {
    const dir = join(mounts.memoryV1, path);
    const usageText = read(join(dir, 'memory.usage_in_bytes'));
    if (usageText === undefined) return undefined;
    const limit = Number(read(join(dir, 'memory.limit_in_bytes')));
    const stat = parseKeyValue(read(join(dir, 'memory.stat')) ?? '');
    const oom = parseKeyValue(read(join(dir, 'memory.oom_control')) ?? '');
    const usage = Number(usageText);
    return {
      version: 1,
      path,
      ...(limit < v1Unlimited ? { limitBytes: limit } : {}),
      usageBytes: usage,
      workingSetBytes: Math.max(0, usage - (stat.total_inactive_file ?? 0)),
      oomKills: oom.oom_kill ?? 0,
      pids: pidsOf(dir),
    };
  }
  return undefined;
}

/**
 * Every cgroup up to `depth` levels below the root that has a memory limit or has seen an OOM kill: the local
 * supervisor's per-service cgroups (wherever it puts them), a container's, a systemd slice's. Walking the tree
 * instead of following live processes finds a cgroup whose only process was just OOM-killed.
 */
export function limitedCgroups(mounts: CgroupMounts, depth = 6): CgroupMemory[] {
  const base = mounts.v2 ?? mounts.memoryV1;
  if (!base) return [];
  const out: CgroupMemory[] = [];
  const walk = (path: string, level: number) => {
    if (level > depth) return;
    let entries: string[];
    try {
      entries = readdirSync(join(base, path));
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = `${path === '/' ? '' : path}/${entry}`;
      let isDir = false;
      try {
        isDir = statSync(join(base, child)).isDirectory();
      } catch {
        continue;
      }
      if (!isDir) continue;
      const memory = readCgroupMemory(mounts, child);
      if (memory && (memory.limitBytes !== undefined || memory.oomKills > 0)) out.push(memory);
      walk(child, level + 1);
    }
  };
  walk('/', 1);
  return out;
}

/**
 * The platform service a cgroup belongs to, by its last path segment: the local supervisor names them
 * `<prefix>.<service>` (and a parent-per-supervisor layout `<prefix>/<service>` works too).
 */
export function serviceOfCgroup(path: string): string | undefined {
  const last = path.split('/').at(-1) ?? '';
  const name = last.split('.').at(-1) ?? last;
  // The supervisor's canary API runs as `api-canary`.
  const canary = name.endsWith('-canary');
  const app = canary ? name.slice(0, -'-canary'.length) : name;
  if (!(appNames as readonly string[]).includes(app)) return undefined;
  return canary ? `${app} (canary)` : app;
}
