import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Readers of /proc. They return plain facts and never judge them, so every check below is a pure function of
 * what was read and can be tested on numbers written by hand as well as on a live machine. Processes come and
 * go while we read: a vanished pid is skipped, never an error.
 */

export const procRoot = '/proc';

/** `/proc/<pid>/stat`: the fields the checks use. CPU times in clock ticks, which cancel out in ratios. */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  readonly ticks: number;
  readonly threads: number;
}

/** Parses one stat line. `comm` sits in parentheses and may itself contain spaces and parentheses. */
export function parseProcStat(pid: number, text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // Fields after the comm start at field 3 (state); see proc_pid_stat(5).
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number) => Number(rest[n - 3]);
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    ticks: field(14) + field(15),
    threads: field(20),
  };
}

const readOrUndefined = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

export const pids = (root = procRoot): number[] =>
  readdirSync(root)
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);

export function readProcStat(pid: number, root = procRoot): ProcStat | undefined {
  const text = readOrUndefined(join(root, String(pid), 'stat'));
  return text === undefined ? undefined : parseProcStat(pid, text);
}

/** The command line with NULs as spaces; kernel threads have none and show their comm in brackets. */
export function readCmdline(pid: number, comm: string, root = procRoot): string {
  const raw = readOrUndefined(join(root, String(pid), 'cmdline'));
  const text = raw?.replaceAll('\0', ' ').trim();
  return text ? text : `[${comm}]`;
}

/** `VmRSS` from /proc/<pid>/status in bytes (0 for kernel threads, which have no address space). */
export function readRssBytes(pid: number, root = procRoot): number | undefined {
  const text = readOrUndefined(join(root, String(pid), 'status'));
  if (text === undefined) return undefined;
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(text);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Parses `Key: value kB` files (/proc/meminfo) into bytes. */
export function parseKeyedKb(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^(\S+):\s+(\d+)(?: kB)?$/.exec(line.trim());
    if (match?.[1] && match[2]) out[match[1]] = Number(match[2]) * (line.endsWith('kB') ? 1024 : 1);
  }
  return out;
}

/** Parses `key value` files (/proc/vmstat, cgroup memory.events and memory.stat). */
export function parseKeyValue(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

export const readMeminfo = (root = procRoot) => parseKeyedKb(readFileSync(join(root, 'meminfo'), 'utf8'));
export const readVmstat = (root = procRoot) => parseKeyValue(readFileSync(join(root, 'vmstat'), 'utf8'));

/** `/proc/stat`: aggregate CPU jiffies by mode, the CPU count and the scheduler's run queue right now. */
export interface CpuTimes {
  readonly user: number;
  readonly nice: number;
  readonly system: number;
  readonly idle: number;
  readonly iowait: number;
  readonly irq: number;
  readonly softirq: number;
  readonly steal: number;
  readonly total: number;
}

export interface KernelStat {
  readonly cpu: CpuTimes;
  readonly cores: number;
  readonly procsRunning: number;
  readonly procsBlocked: number;
}

export function parseKernelStat(text: string): KernelStat {
  const lines = text.split('\n');
  const cpuLine = lines.find((l) => l.startsWith('cpu '));
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = (cpuLine ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const value = (key: string) => Number(lines.find((l) => l.startsWith(`${key} `))?.split(/\s+/)[1] ?? 0);
  return {
    cpu: {
      user,
      nice,
      system,
      idle,
      iowait,
      irq,
      softirq,
      steal,
      total: user + nice + system + idle + iowait + irq + softirq + steal,
    },
    cores: lines.filter((l) => /^cpu\d+ /.test(l)).length,
    procsRunning: value('procs_running'),
    procsBlocked: value('procs_blocked'),
  };
}

export const readKernelStat = (root = procRoot) => parseKernelStat(readFileSync(join(root, 'stat'), 'utf8'));

export interface LoadAverage {
  readonly one: number;
  readonly five: number;
  readonly fifteen: number;
  readonly runnable: number;
  readonly threads: number;
}

export function parseLoadavg(text: string): LoadAverage {
  const [one = '0', five = '0', fifteen = '0', ratio = '0/0'] = text.trim().split(/\s+/);
  const [runnable = '0', threads = '0'] = ratio.split('/');
  return {
    one: Number(one),
    five: Number(five),
    fifteen: Number(fifteen),
    runnable: Number(runnable),
    threads: Number(threads),
  };
}

export const readLoadavg = (root = procRoot) => parseLoadavg(readFileSync(join(root, 'loadavg'), 'utf8'));

/** Open descriptors of a process; undefined when it is gone or not ours to read. */
export function countFds(pid: number, root = procRoot): number | undefined {
  try {
    return readdirSync(join(root, String(pid), 'fd')).length;
  } catch {
    return undefined;
  }
}

/** Socket inodes a process holds (`socket:[12345]` links in /proc/<pid>/fd), to name a listener's owner. */
export function socketInodes(pid: number, root = procRoot): number[] {
  const dir = join(root, String(pid), 'fd');
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const fd of entries) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(join(dir, fd)));
      if (match) out.push(Number(match[1]));
    } catch {
      // closed between readdir and readlink
    }
  }
  return out;
}

/** The soft and hard `Max open files` of a process from /proc/<pid>/limits. */
export function readFdLimit(pid: number, root = procRoot): { soft: number; hard: number } | undefined {
  const text = readOrUndefined(join(root, String(pid), 'limits'));
  const match = text && /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!match) return undefined;
  const num = (s: string | undefined) => (s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));
  return { soft: num(match[1]), hard: num(match[2]) };
}

/** `/proc/sys/fs/file-nr`: allocated file handles and the system-wide maximum. */
export function readFileNr(root = procRoot): { allocated: number; max: number } {
  const [allocated = 0, , max = 0] = readFileSync(join(root, 'sys/fs/file-nr'), 'utf8').trim().split(/\s+/).map(Number);
  return { allocated, max };
}

/** The cgroup path of a process: the v2 unified entry, or the v1 memory controller's. */
export function readCgroupPaths(pid: number, root = procRoot): { v2?: string; memoryV1?: string } {
  const text = readOrUndefined(join(root, String(pid), 'cgroup')) ?? '';
  const out: { v2?: string; memoryV1?: string } = {};
  for (const line of text.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined) continue;
    if (controllers === '') out.v2 = path;
    if (controllers?.split(',').includes('memory')) out.memoryV1 = path;
  }
  return out;
}
