import { failureModes } from '@homelab/platform';
import { type Finding, finding } from '../finding.ts';
import { type CgroupMemory, detectCgroupMounts, limitedCgroups, readCgroupMemory } from './cgroup.ts';
import { bootTimeMs, type KernelOomKill, parseOomKills, readKernelRecords } from './kernel-log.ts';
import { pids, readCmdline, readMeminfo, readProcStat, readRssBytes, readVmstat } from './proc.ts';
import { formatBytes, percent } from './units.ts';

export interface ProcessMemory {
  readonly pid: number;
  readonly comm: string;
  readonly cmdline: string;
  readonly rssBytes: number;
}

export interface MemFacts {
  readonly totalBytes: number;
  readonly availableBytes: number;
  /** Page cache and buffers: most of it is reclaimable, so "free" memory understates what is left. */
  readonly cacheBytes: number;
  readonly swapTotalBytes: number;
  readonly swapFreeBytes: number;
  /** `oom_kill` from /proc/vmstat: every OOM kill since boot, system-wide or in any cgroup. */
  readonly oomKillsSinceBoot: number;
  /** OOM kills in the kernel log within the window; undefined when the log is not readable. */
  readonly recentOomKills?: readonly KernelOomKill[];
  readonly windowMinutes: number;
  /** Largest RSS first. */
  readonly processes: readonly ProcessMemory[];
  readonly cgroups: readonly CgroupMemory[];
}

export interface MemOptions {
  readonly top?: number;
  /** How far back the kernel log counts as recent (default 60 minutes). */
  readonly windowMinutes?: number;
  /** Extra cgroup paths to read besides the limited ones found by walking the hierarchy. */
  readonly cgroups?: readonly string[];
  readonly cgroupRoot?: string;
  readonly procRoot?: string;
  readonly kmsgPath?: string;
}

export function collectMem(options: MemOptions = {}): MemFacts {
  const root = options.procRoot;
  const info = readMeminfo(root);
  const vmstat = readVmstat(root);
  const windowMinutes = options.windowMinutes ?? 60;
  const records = readKernelRecords(options.kmsgPath);
  const since = Date.now() - windowMinutes * 60_000;
  const recentOomKills = records && parseOomKills(records, bootTimeMs(root)).filter((k) => k.atMs >= since);
  const processes: ProcessMemory[] = [];
  for (const pid of pids(root)) {
    const stat = readProcStat(pid, root);
    const rssBytes = readRssBytes(pid, root);
    if (stat && rssBytes) processes.push({ pid, comm: stat.comm, cmdline: '', rssBytes });
  }
  processes.sort((a, b) => b.rssBytes - a.rssBytes);
  const mounts = detectCgroupMounts(options.cgroupRoot);
  const found = limitedCgroups(mounts);
  for (const path of options.cgroups ?? []) {
    if (found.some((c) => c.path === path)) continue;
    const memory = readCgroupMemory(mounts, path);
    if (memory) found.push(memory);
  }
  return {
    totalBytes: info.MemTotal ?? 0,
    availableBytes: info.MemAvailable ?? 0,
    cacheBytes: (info.Cached ?? 0) + (info.Buffers ?? 0),
    swapTotalBytes: info.SwapTotal ?? 0,
    swapFreeBytes: info.SwapFree ?? 0,
    oomKillsSinceBoot: vmstat.oom_kill ?? 0,
    ...(recentOomKills ? { recentOomKills } : {}),
    windowMinutes,
    processes: processes.slice(0, options.top ?? 10).map((p) => ({ ...p, cmdline: readCmdline(p.pid, p.comm, root) })),
    cgroups: found,
  };
}

export interface MemThresholds {
  /** Available below this share of RAM is an alert (default 10 %). */
  readonly availableAlertPercent?: number;
  /** ... and a warning (default 20 %). */
  readonly availableWarnPercent?: number;
  /** A cgroup's working set above this share of its limit is a warning (default 90 %). */
  readonly cgroupWarnPercent?: number;
  /** Swap in use above this share is a warning (default 50 %). */
  readonly swapWarnPercent?: number;
}

const cgroupLine = (c: CgroupMemory) =>
  `${c.limitBytes === undefined ? 'no limit' : `limit ${formatBytes(c.limitBytes)}`}, working set ${formatBytes(c.workingSetBytes)}, ${c.oomKills} OOM kill(s) since created`;

export function analyzeMem(facts: MemFacts, thresholds: MemThresholds = {}): Finding[] {
  const findings: Finding[] = [];
  const availablePct = percent(facts.availableBytes, facts.totalBytes);
  const memLine = `available ${formatBytes(facts.availableBytes)} of ${formatBytes(facts.totalBytes)} (${availablePct} %), page cache ${formatBytes(facts.cacheBytes)}`;
  const swapUsed = facts.swapTotalBytes - facts.swapFreeBytes;
  const swapLine =
    facts.swapTotalBytes > 0
      ? `swap used ${formatBytes(swapUsed)} of ${formatBytes(facts.swapTotalBytes)}`
      : 'no swap configured';
  const top = facts.processes
    .slice(0, 3)
    .map((p) => `pid ${p.pid} (${p.comm}) ${formatBytes(p.rssBytes)}`)
    .join(', ');
  if (availablePct < (thresholds.availableWarnPercent ?? 20)) {
    findings.push(
      finding(failureModes.hostMemoryPressure, {
        severity: availablePct < (thresholds.availableAlertPercent ?? 10) ? 'alert' : 'warn',
        subject: 'host',
        what: 'little memory available: the OOM killer is close',
        evidence: [memLine, swapLine, `largest: ${top}`],
        next:
          'Compare the largest processes with their usual size: one growing between two runs of this check is a ' +
          'leak (restart it, then take a heap snapshot); otherwise lower limits or move a workload off the host.',
      }),
    );
  }
  if (facts.swapTotalBytes > 0 && percent(swapUsed, facts.swapTotalBytes) >= (thresholds.swapWarnPercent ?? 50)) {
    findings.push(
      finding(failureModes.hostMemoryPressure, {
        severity: 'warn',
        subject: 'host',
        what: 'swap heavily used: memory was short recently and latency suffers on swap-in',
        evidence: [swapLine, memLine],
        next: 'Check iowait with `homelab triage cpu`; find who was swapped out (VmSwap in /proc/<pid>/status).',
      }),
    );
  }
  // One finding per cgroup (or the host), not per kill: a crash-looping service is one problem, killed many times.
  const byScope = new Map<string, KernelOomKill[]>();
  for (const kill of facts.recentOomKills ?? []) {
    const scope = kill.memcg ?? '/';
    byScope.set(scope, [...(byScope.get(scope) ?? []), kill]);
  }
  const reported = new Set<string>();
  for (const [scope, kills] of byScope) {
    const cgroup = facts.cgroups.find((c) => c.path === scope);
    if (cgroup) reported.add(cgroup.path);
    const host = scope === '/';
    findings.push(
      finding(failureModes.hostOomKill, {
        severity: 'alert',
        subject: host ? 'host' : `cgroup ${scope}`,
        what: `${kills.length} OOM kill(s) in the last ${facts.windowMinutes} min: ${host ? 'the host ran out of memory' : 'at the cgroup memory limit'}`,
        evidence: [
          ...(cgroup ? [cgroupLine(cgroup)] : []),
          ...kills.slice(-3).map((k) => {
            const rss = /anon-rss:(\d+)kB/.exec(k.line)?.[1];
            const size = rss ? `, anon RSS ${formatBytes(Number(rss) * 1024)}` : '';
            return `pid ${k.pid} (${k.comm})${size}, ${Math.round((Date.now() - k.atMs) / 60_000)} min ago`;
          }),
        ],
        next:
          'Did the supervisor restart it (`homelab up` logs OOMKilled with the limit)? Then find out why it grew: ' +
          'a leak keeps growing after restart (watch RSS with `homelab triage mem`), a spike follows load.',
      }),
    );
  }
  if (facts.recentOomKills === undefined && facts.oomKillsSinceBoot > 0) {
    findings.push(
      finding(failureModes.hostOomKill, {
        severity: 'info',
        subject: 'host',
        what: `${facts.oomKillsSinceBoot} OOM kills since boot; the kernel log is not readable to say when`,
        evidence: [`/proc/vmstat oom_kill ${facts.oomKillsSinceBoot}`],
        next: 'Run as root (or with CAP_SYSLOG) to read the kernel log, or check the cgroups below.',
      }),
    );
  }
  for (const cgroup of facts.cgroups.filter((c) => !reported.has(c.path))) {
    const limit = cgroup.limitBytes;
    const usage = `working set ${formatBytes(cgroup.workingSetBytes)} (usage with cache ${formatBytes(cgroup.usageBytes)})`;
    const limitLine = limit === undefined ? 'no limit' : `limit ${formatBytes(limit)}`;
    if (cgroup.oomKills > 0) {
      findings.push(
        finding(failureModes.hostOomKill, {
          severity: 'alert',
          subject: `cgroup ${cgroup.path}`,
          what: `${cgroup.oomKills} OOM kill(s) at the cgroup's memory limit since it was created`,
          evidence: [`${limitLine}, ${usage}`, `processes now: ${cgroup.pids.join(' ') || 'none'}`],
          next:
            'The limit is the one the platform gives the container (packages/platform apps resources). Raise it ' +
            'there only if the working set is legitimately larger; a leak hits any limit.',
        }),
      );
    } else if (limit !== undefined && percent(cgroup.workingSetBytes, limit) >= (thresholds.cgroupWarnPercent ?? 90)) {
      findings.push(
        finding(failureModes.hostMemoryPressure, {
          severity: 'warn',
          subject: `cgroup ${cgroup.path}`,
          what: `working set at ${percent(cgroup.workingSetBytes, limit)} % of the memory limit: next allocation may be OOM-killed`,
          evidence: [`${limitLine}, ${usage}`, `processes: ${cgroup.pids.join(' ') || 'none'}`],
          next: 'Watch whether it keeps growing (leak) or follows load; restart before it is killed mid-request.',
        }),
      );
    }
  }
  return findings;
}
