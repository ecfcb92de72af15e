import { setTimeout as sleep } from 'node:timers/promises';
import { failureModes } from '@homelab/platform';
import { type Finding, finding } from '../finding.ts';
import {
  type KernelStat,
  type LoadAverage,
  type ProcStat,
  pids,
  readCmdline,
  readKernelStat,
  readLoadavg,
  readProcStat,
} from './proc.ts';

export interface ProcessCpu {
  readonly pid: number;
  readonly comm: string;
  readonly cmdline: string;
  /** Percent of ONE core over the interval (a process with two busy threads shows 200). */
  readonly percentOfCore: number;
}

/** What the cpu check reads: two samples of /proc/stat and every /proc/<pid>/stat, `intervalMs` apart. */
export interface CpuFacts {
  readonly intervalMs: number;
  readonly cores: number;
  readonly load: LoadAverage;
  /** Runnable tasks now, without the check itself. */
  readonly runQueue: number;
  /** Tasks blocked in uninterruptible sleep (usually disk I/O). */
  readonly blocked: number;
  /** Shares of all CPU time over the interval, in percent. */
  readonly busyPercent: number;
  readonly iowaitPercent: number;
  readonly stealPercent: number;
  /** Busiest first. */
  readonly processes: readonly ProcessCpu[];
}

export type CpuVerdict = 'saturated' | 'busy' | 'ok';

/** Thresholds, with the defaults `homelab triage cpu` uses. */
export interface CpuThresholds {
  /** Busy share of all cores that is saturation (default 90). */
  readonly saturatedBusyPercent?: number;
  /** Busy share worth a warning (default 75). */
  readonly busyPercent?: number;
  /** iowait share worth a warning (default 20). */
  readonly iowaitPercent?: number;
  /** One process using this much of a core is named (default 80). */
  readonly hotProcessPercent?: number;
}

const ticksOf = (stat: KernelStat) => stat.cpu;

/** Samples CPU use over `intervalMs` (default 1000) from /proc alone. */
export async function collectCpu(options: { intervalMs?: number; top?: number; procRoot?: string } = {}) {
  const intervalMs = options.intervalMs ?? 1000;
  const root = options.procRoot;
  const before = readKernelStat(root);
  const first = new Map<number, ProcStat>();
  for (const pid of pids(root)) {
    const stat = readProcStat(pid, root);
    if (stat) first.set(pid, stat);
  }
  await sleep(intervalMs);
  const after = readKernelStat(root);
  const load = readLoadavg(root);
  const a = ticksOf(before);
  const b = ticksOf(after);
  const totalDelta = Math.max(1, b.total - a.total);
  // Jiffies of all cores over the interval divided by the core count is one core's worth, without needing CLK_TCK.
  const oneCore = totalDelta / Math.max(1, after.cores);
  const processes: ProcessCpu[] = [];
  for (const pid of pids(root)) {
    const was = first.get(pid);
    const now = readProcStat(pid, root);
    if (!was || !now || was.comm !== now.comm) continue;
    const percentOfCore = ((now.ticks - was.ticks) / oneCore) * 100;
    if (percentOfCore > 0) processes.push({ pid, comm: now.comm, cmdline: '', percentOfCore });
  }
  processes.sort((x, y) => y.percentOfCore - x.percentOfCore);
  const pct = (delta: number) => (delta / totalDelta) * 100;
  const facts: CpuFacts = {
    intervalMs,
    cores: after.cores,
    load,
    runQueue: Math.max(0, after.procsRunning - 1),
    blocked: after.procsBlocked,
    busyPercent: pct(totalDelta - (b.idle - a.idle) - (b.iowait - a.iowait)),
    iowaitPercent: pct(b.iowait - a.iowait),
    stealPercent: pct(b.steal - a.steal),
    processes: processes.slice(0, options.top ?? 10).map((p) => ({ ...p, cmdline: readCmdline(p.pid, p.comm, root) })),
  };
  return facts;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Saturation: more runnable tasks than cores, or nearly all CPU time busy. Load alone also counts blocked I/O. */
export function cpuVerdict(facts: CpuFacts, thresholds: CpuThresholds = {}): CpuVerdict {
  const saturated = thresholds.saturatedBusyPercent ?? 90;
  const busy = thresholds.busyPercent ?? 75;
  if (facts.busyPercent >= saturated || facts.runQueue > facts.cores) return 'saturated';
  if (facts.busyPercent >= busy || facts.load.one > facts.cores) return 'busy';
  return 'ok';
}

/** Findings from CPU facts: saturation, heavy iowait, and each process that keeps a core busy. */
export function analyzeCpu(facts: CpuFacts, thresholds: CpuThresholds = {}): Finding[] {
  const findings: Finding[] = [];
  const verdict = cpuVerdict(facts, thresholds);
  const loadLine = `load average ${facts.load.one} / ${facts.load.five} / ${facts.load.fifteen} on ${facts.cores} cores`;
  const queueLine = `run queue ${facts.runQueue} runnable (besides this check), ${facts.blocked} blocked on I/O`;
  const busyLine = `CPU busy ${round(facts.busyPercent)} % of all cores over ${facts.intervalMs} ms (steal ${round(facts.stealPercent)} %)`;
  const top = facts.processes[0];
  const topLine = top ? `busiest: pid ${top.pid} (${top.comm}) ${round(top.percentOfCore)} % of one core` : '';
  if (verdict !== 'ok') {
    findings.push(
      finding(failureModes.hostCpuSaturated, {
        severity: verdict === 'saturated' ? 'alert' : 'warn',
        subject: 'host',
        what: verdict === 'saturated' ? 'CPU saturated: work is queueing for a core' : 'CPU busy, close to saturation',
        evidence: [busyLine, queueLine, loadLine, ...(topLine ? [topLine] : [])],
        next:
          'Look at the top processes above: if one is a platform service, check its request rate and latency ' +
          '(a load spike or a hot loop); if it is not ours, stop or renice it. A run queue above the core count ' +
          'means added latency on every request: scale out or shed load before tuning.',
      }),
    );
  }
  const iowait = thresholds.iowaitPercent ?? 20;
  if (facts.iowaitPercent >= iowait) {
    findings.push(
      finding(failureModes.hostIoWait, {
        severity: 'warn',
        subject: 'host',
        what: 'CPUs idle waiting for disk I/O',
        evidence: [`iowait ${round(facts.iowaitPercent)} % over ${facts.intervalMs} ms`, queueLine],
        next:
          'Find the writer: processes in state D (`homelab triage cpu` lists blocked tasks), PostgreSQL checkpoints, ' +
          'swap-in (`homelab triage mem`); then check the disk is not full or failing.',
      }),
    );
  }
  const hot = thresholds.hotProcessPercent ?? 80;
  for (const p of facts.processes.filter((p) => p.percentOfCore >= hot)) {
    findings.push(
      finding(failureModes.hostCpuSaturated, {
        severity: 'warn',
        subject: `pid ${p.pid} (${p.comm})`,
        what: `one process keeps a core busy`,
        evidence: [`${round(p.percentOfCore)} % of one core over ${facts.intervalMs} ms`, `command: ${p.cmdline}`],
        next:
          'Is it expected (a build, a load test)? If it is a platform service, compare with its request rate; a ' +
          'busy loop without traffic is a bug: take a CPU profile (`node --cpu-prof`) or restart it.',
      }),
    );
  }
  return findings;
}
