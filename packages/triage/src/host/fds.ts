import { setTimeout as sleep } from 'node:timers/promises';
import { failureModes } from '@homelab/platform';
import { type Finding, finding } from '../finding.ts';
import { countFds, pids, readCmdline, readFdLimit, readFileNr, readProcStat } from './proc.ts';
import { percent } from './units.ts';

export interface ProcessFds {
  readonly pid: number;
  readonly comm: string;
  readonly cmdline: string;
  readonly first: number;
  readonly second: number;
  /** Soft `Max open files`: where open() starts failing with EMFILE. */
  readonly softLimit: number;
}

export interface FdFacts {
  readonly intervalMs: number;
  /** Most open descriptors first. */
  readonly processes: readonly ProcessFds[];
  readonly system: { readonly allocated: number; readonly max: number };
}

/** Counts every process's descriptors twice, `intervalMs` (default 1000) apart: growth is what a leak looks like. */
export async function collectFds(options: { intervalMs?: number; top?: number; procRoot?: string } = {}) {
  const root = options.procRoot;
  const intervalMs = options.intervalMs ?? 1000;
  const first = new Map<number, number>();
  for (const pid of pids(root)) {
    const n = countFds(pid, root);
    if (n !== undefined) first.set(pid, n);
  }
  await sleep(intervalMs);
  const processes: ProcessFds[] = [];
  for (const [pid, before] of first) {
    const after = countFds(pid, root);
    const stat = readProcStat(pid, root);
    const limit = readFdLimit(pid, root);
    if (after === undefined || !stat || !limit) continue;
    processes.push({ pid, comm: stat.comm, cmdline: '', first: before, second: after, softLimit: limit.soft });
  }
  // Rank by what matters for a leak: the nearest to its limit, then the fastest growing, then the largest.
  const top = options.top ?? 10;
  const byCount = [...processes].sort((a, b) => b.second - a.second);
  const byGrowth = [...processes].sort((a, b) => b.second - b.first - (a.second - a.first));
  const byLimit = [...processes].sort((a, b) => b.second / b.softLimit - a.second / a.softLimit);
  const chosen = new Map<number, ProcessFds>();
  for (const p of [...byLimit.slice(0, 3), ...byGrowth.slice(0, 3), ...byCount]) {
    if (chosen.size >= top) break;
    chosen.set(p.pid, p);
  }
  const facts: FdFacts = {
    intervalMs,
    processes: [...chosen.values()]
      .sort((a, b) => b.second - a.second)
      .map((p) => ({ ...p, cmdline: readCmdline(p.pid, p.comm, root) })),
    system: readFileNr(root),
  };
  return facts;
}

export interface FdThresholds {
  /** Share of the soft limit that is an alert (default 80 %). */
  readonly nearLimitPercent?: number;
  /** Descriptors gained between the two samples that make a leak suspect (default 10). */
  readonly growth?: number;
}

export function analyzeFds(facts: FdFacts, thresholds: FdThresholds = {}): Finding[] {
  const findings: Finding[] = [];
  const near = thresholds.nearLimitPercent ?? 80;
  const growth = thresholds.growth ?? 10;
  for (const p of facts.processes) {
    const used = percent(p.second, p.softLimit);
    const grew = p.second - p.first;
    const evidence = [
      `${p.first} -> ${p.second} open descriptors in ${facts.intervalMs} ms, soft limit ${p.softLimit} (${used} %)`,
      `command: ${p.cmdline}`,
    ];
    const next =
      'List what it holds: `ls -l /proc/<pid>/fd | sort -k11 | uniq -c -f10` style (sockets, files, pipes); ' +
      'sockets in CLOSE_WAIT (`homelab triage net`) mean the code never closes what the peer closed. Restart ' +
      'buys time; the fix is the missing close() or a pool with a bound.';
    if (used >= near) {
      findings.push(
        finding(failureModes.hostFdLeak, {
          severity: 'alert',
          subject: `pid ${p.pid} (${p.comm})`,
          what: 'close to its open-files limit: accept() and open() will fail with EMFILE',
          evidence,
          next,
        }),
      );
    } else if (grew >= growth) {
      findings.push(
        finding(failureModes.hostFdLeak, {
          severity: 'warn',
          subject: `pid ${p.pid} (${p.comm})`,
          what: `descriptor leak suspect: +${grew} in ${facts.intervalMs} ms`,
          evidence,
          next: `Run the check again: steady growth is a leak, a step that drops back is a burst. ${next}`,
        }),
      );
    }
  }
  if (percent(facts.system.allocated, facts.system.max) >= near) {
    findings.push(
      finding(failureModes.hostFdLeak, {
        severity: 'alert',
        subject: 'host',
        what: 'system-wide file handles nearly exhausted',
        evidence: [`${facts.system.allocated} of ${facts.system.max} allocated (/proc/sys/fs/file-nr)`],
        next: 'Find the process holding most (the table below) before raising fs.file-max.',
      }),
    );
  }
  return findings;
}
