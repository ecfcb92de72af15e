import { readFileSync } from 'node:fs';
import { triageChecks } from '@homelab/platform';

import { analyzeDns, collectDns, type DnsThresholds } from './dns/dns.ts';
import type { Finding } from './finding.ts';
import { serviceOfCgroup } from './host/cgroup.ts';
import { analyzeCpu, type CpuThresholds, collectCpu, cpuVerdict } from './host/cpu.ts';
import { analyzeFds, collectFds, type FdThresholds } from './host/fds.ts';
import { analyzeMem, collectMem, type MemThresholds } from './host/mem.ts';
import { analyzeNet, collectNet, type NetThresholds } from './host/net.ts';
import { formatBytes, percent } from './host/units.ts';
import { analyzeCluster, analyzeServiceEndpoints } from './k8s/analyze.ts';
import { type ClusterOptions, collectCluster } from './k8s/collect.ts';
import type { ClusterFacts } from './k8s/facts.ts';
import type { CheckReport } from './report/report.ts';
import { analyzeCert, type CertThresholds, collectCert } from './tls/cert.ts';

/** Options for every check; each reads the fields it needs. Defaults are what `homelab triage` uses. */
export interface CheckOptions extends ClusterOptions {
  /** Sampling interval of cpu and fds (default 1000 ms). */
  readonly intervalMs?: number;
  /** Rows in the top-process tables (default 10). */
  readonly top?: number;
  /** dns: names to resolve; cert: host:port targets. */
  readonly targets?: readonly string[];
  /** dns: resolvers to ask (default /etc/resolv.conf). */
  readonly dnsServers?: readonly string[];
  readonly dnsTimeoutMs?: number;
  /** cert: PEM files of CAs to trust instead of the system store. */
  readonly caFiles?: readonly string[];
  /** cert: the name to check instead of each target's host. */
  readonly servername?: string;
  /** mem: extra cgroup paths to read. */
  readonly cgroups?: readonly string[];
  readonly thresholds?: CpuThresholds &
    MemThresholds &
    FdThresholds &
    NetThresholds &
    DnsThresholds &
    Omit<CertThresholds, 'now'>;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

async function cpu(options: CheckOptions): Promise<CheckReport> {
  const facts = await collectCpu({
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
    top: options.top ?? 10,
  });
  return {
    check: 'cpu',
    facts: { ...facts, verdict: cpuVerdict(facts, options.thresholds) },
    tables: [
      {
        title: `CPU over ${facts.intervalMs} ms`,
        head: ['cores', 'load 1/5/15', 'run queue', 'blocked', 'busy %', 'iowait %', 'steal %', 'verdict'],
        rows: [
          [
            facts.cores,
            `${facts.load.one} / ${facts.load.five} / ${facts.load.fifteen}`,
            facts.runQueue,
            facts.blocked,
            r1(facts.busyPercent),
            r1(facts.iowaitPercent),
            r1(facts.stealPercent),
            cpuVerdict(facts, options.thresholds),
          ],
        ],
      },
      {
        title: 'Top processes by CPU (% of one core)',
        head: ['pid', 'name', '% core', 'command'],
        rows: facts.processes.map((p) => [p.pid, p.comm, r1(p.percentOfCore), p.cmdline.slice(0, 70)]),
      },
    ],
    findings: analyzeCpu(facts, options.thresholds),
    notes: [],
  };
}

async function mem(options: CheckOptions): Promise<CheckReport> {
  const facts = collectMem({ top: options.top ?? 10, ...(options.cgroups ? { cgroups: options.cgroups } : {}) });
  const notes: string[] = [];
  if (facts.recentOomKills === undefined) notes.push('kernel log not readable: OOM kills counted, not dated');
  if (facts.cgroups.length === 0) notes.push('no cgroup with a memory limit found (services run without limits)');
  // Empty cgroups without OOM kills are leftovers of stopped supervisors: counted, not listed.
  const shown = facts.cgroups.filter((c) => c.pids.length > 0 || c.oomKills > 0);
  if (shown.length < facts.cgroups.length) {
    notes.push(`${facts.cgroups.length - shown.length} empty cgroup(s) with a limit and no OOM kill not listed`);
  }
  return {
    check: 'mem',
    facts,
    tables: [
      {
        title: 'Memory',
        head: [
          'total',
          'available',
          'page cache',
          'swap used',
          'OOM kills since boot',
          `OOM kills last ${facts.windowMinutes} min`,
        ],
        rows: [
          [
            formatBytes(facts.totalBytes),
            `${formatBytes(facts.availableBytes)} (${percent(facts.availableBytes, facts.totalBytes)} %)`,
            formatBytes(facts.cacheBytes),
            facts.swapTotalBytes ? formatBytes(facts.swapTotalBytes - facts.swapFreeBytes) : 'no swap',
            facts.oomKillsSinceBoot,
            facts.recentOomKills?.length ?? 'unknown',
          ],
        ],
      },
      {
        title: 'Top processes by RSS',
        head: ['pid', 'name', 'RSS', 'command'],
        rows: facts.processes.map((p) => [p.pid, p.comm, formatBytes(p.rssBytes), p.cmdline.slice(0, 70)]),
      },
      {
        title: 'cgroups with a memory limit',
        head: ['cgroup', 'service', 'limit', 'working set', '% of limit', 'OOM kills', 'pids'],
        rows: shown.map((c) => [
          `${c.path} (v${c.version})`,
          serviceOfCgroup(c.path) ?? '',
          c.limitBytes === undefined ? 'none' : formatBytes(c.limitBytes),
          formatBytes(c.workingSetBytes),
          c.limitBytes === undefined ? '' : percent(c.workingSetBytes, c.limitBytes),
          c.oomKills,
          c.pids.slice(0, 5).join(' '),
        ]),
      },
    ],
    findings: analyzeMem(facts, options.thresholds),
    notes,
  };
}

async function fds(options: CheckOptions): Promise<CheckReport> {
  const facts = await collectFds({
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
    top: options.top ?? 10,
  });
  return {
    check: 'fds',
    facts,
    tables: [
      {
        title: `Open file descriptors, two samples ${facts.intervalMs} ms apart (system: ${facts.system.allocated} of ${facts.system.max})`,
        head: ['pid', 'name', 'first', 'second', 'soft limit', '% of limit', 'command'],
        rows: facts.processes.map((p) => [
          p.pid,
          p.comm,
          p.first,
          p.second,
          p.softLimit,
          percent(p.second, p.softLimit),
          p.cmdline.slice(0, 60),
        ]),
      },
    ],
    findings: analyzeFds(facts, options.thresholds),
    notes: [],
  };
}

async function net(options: CheckOptions): Promise<CheckReport> {
  const facts = collectNet();
  return {
    check: 'net',
    facts,
    tables: [
      {
        title: 'TCP sockets by state (IPv4 and IPv6)',
        head: Object.keys(facts.counts),
        rows: [Object.values(facts.counts)],
      },
      {
        title: 'Listening',
        head: ['address', 'pid', 'name'],
        rows: facts.listening.map((l) => [l.address, l.pid ?? '', l.comm ?? '']),
      },
      {
        title: `TIME_WAIT by remote endpoint (ephemeral ports: ${facts.ephemeralPorts})`,
        head: ['remote', 'TIME_WAIT'],
        rows: facts.timeWaitByRemote.slice(0, options.top ?? 10).map((t) => [t.remote, t.count]),
      },
    ],
    findings: analyzeNet(facts, options.thresholds),
    notes: facts.listening.some((l) => l.pid === undefined)
      ? [
          'listeners without a pid: no process visible here holds them (another PID namespace, the kernel, or not ours to read)',
        ]
      : [],
  };
}

async function dns(options: CheckOptions): Promise<CheckReport> {
  const names = options.targets ?? [];
  // Node's own convention for a missing argument (ERR_MISSING_ARGS); the CLI checks it first and exits 2.
  if (names.length === 0) throw new TypeError('dns needs at least one name');
  const facts = await collectDns(names, {
    ...(options.dnsServers ? { servers: options.dnsServers } : {}),
    ...(options.dnsTimeoutMs ? { timeoutMs: options.dnsTimeoutMs } : {}),
  });
  return {
    check: 'dns',
    facts,
    tables: [
      {
        title: 'Resolution, resolver by resolver',
        head: ['name', 'resolver', 'outcome', 'ms', 'answer'],
        rows: facts.flatMap((f) =>
          f.attempts.map((a) => [f.name, a.server, a.outcome, Math.round(a.ms), a.addresses.join(' ')]),
        ),
      },
    ],
    findings: analyzeDns(facts, options.thresholds),
    notes: [],
  };
}

async function cert(options: CheckOptions): Promise<CheckReport> {
  const targets = options.targets ?? [];
  if (targets.length === 0) throw new TypeError('cert needs at least one host:port');
  const ca = options.caFiles?.map((file) => readFileSync(file, 'utf8'));
  const facts = await Promise.all(
    targets.map((t) =>
      collectCert(t, { ...(ca ? { ca } : {}), ...(options.servername ? { servername: options.servername } : {}) }),
    ),
  );
  const now = Date.now();
  return {
    check: 'cert',
    facts: facts.map(({ leaf: _leaf, ...rest }) => rest),
    tables: [
      {
        title: 'Certificates (leaf first)',
        head: ['target', '#', 'subject', 'issuer', 'SANs', 'not after', 'days left', 'verified'],
        rows: facts.flatMap((f) =>
          f.error
            ? [[f.target, '', f.error, '', '', '', '', 'no']]
            : f.chain.map((c, i) => [
                i === 0 ? f.target : '',
                i,
                c.subject,
                c.issuer,
                c.sans.join(' '),
                c.notAfter,
                r1((new Date(c.notAfter).getTime() - now) / 86_400_000),
                i === 0 ? (f.trusted ? 'yes' : (f.verifyError ?? 'no')) : '',
              ]),
        ),
      },
    ],
    findings: facts.flatMap((f) => analyzeCert(f, options.thresholds)),
    notes: [],
  };
}

const clusterNotes = (facts: ClusterFacts): string[] => [
  ...facts.notServed.map((api) => `${api} not served (CRD not installed): not checked`),
  ...(facts.nodes.some((n) => n.metadata?.annotations?.['kwok.x-k8s.io/node'] === 'fake')
    ? [
        'nodes are simulated (kwok): scheduling, endpoints, PVC binding and eviction are real; container restarts, ' +
          'OOMKilled and CrashLoopBackOff are written by kwok Stages in the real API shapes',
      ]
    : []),
];

const clusterTable = (facts: ClusterFacts) => ({
  title: 'Objects read',
  head: [
    'nodes',
    'pods',
    'deployments',
    'pvcs',
    'hpas',
    'services',
    'certificates',
    'gateways',
    'httproutes',
    'events',
  ],
  rows: [
    [
      facts.nodes.length,
      facts.pods.length,
      facts.deployments.length,
      facts.pvcs.length,
      facts.hpas.length,
      facts.services.length,
      facts.certificates.length,
      facts.gateways.length,
      facts.httpRoutes.length,
      facts.events.length,
    ],
  ],
});

async function k8s(options: CheckOptions, facts?: ClusterFacts): Promise<CheckReport> {
  const cluster = facts ?? (await collectCluster(options));
  return {
    check: 'k8s',
    facts: { counts: clusterTable(cluster).rows[0], notServed: cluster.notServed },
    tables: [clusterTable(cluster)],
    findings: analyzeCluster(cluster),
    notes: clusterNotes(cluster),
  };
}

async function endpoints(options: CheckOptions, facts?: ClusterFacts): Promise<CheckReport> {
  const cluster = facts ?? (await collectCluster(options));
  return {
    check: 'endpoints',
    facts: { services: cluster.services.length, endpointSlices: cluster.endpointSlices.length },
    tables: [],
    findings: analyzeServiceEndpoints(cluster),
    notes: clusterNotes(cluster).filter((n) => !n.includes('not served')),
  };
}

export const checkNames = [...triageChecks, 'all'] as const;
export type CheckName = (typeof checkNames)[number];

export const isCheckName = (name: string): name is CheckName => (checkNames as readonly string[]).includes(name);

/**
 * Runs one check (or `all`: the host checks, plus the cluster checks when a kubeconfig loads) and returns its
 * reports. The API the drills call to confirm a diagnosis: `(await runCheck('mem')).flatMap((r) => r.findings)`.
 */
export async function runCheck(name: CheckName, options: CheckOptions = {}): Promise<CheckReport[]> {
  switch (name) {
    case 'cpu':
      return [await cpu(options)];
    case 'mem':
      return [await mem(options)];
    case 'fds':
      return [await fds(options)];
    case 'net':
      return [await net(options)];
    case 'dns':
      return [await dns(options)];
    case 'cert':
      return [await cert(options)];
    case 'k8s':
      return [await k8s(options)];
    case 'endpoints':
      return [await endpoints(options)];
    case 'all': {
      const reports = [await cpu(options), await mem(options), await fds(options), await net(options)];
      let cluster: ClusterFacts | undefined;
      try {
        cluster = await collectCluster(options);
      } catch (error) {
        reports.push({
          check: 'k8s',
          facts: {},
          tables: [],
          findings: [],
          notes: [`cluster checks skipped: ${(error as Error).message}`],
        });
      }
      if (cluster) reports.push(await k8s(options, cluster), await endpoints(options, cluster));
      return reports;
    }
  }
}

/** Every finding of a set of reports. */
export const findingsOf = (reports: readonly CheckReport[]): Finding[] => reports.flatMap((r) => r.findings);
