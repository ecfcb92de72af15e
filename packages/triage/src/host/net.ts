import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { failureModes } from '@homelab/platform';
import { type Finding, finding } from '../finding.ts';
import { pids, readProcStat, socketInodes } from './proc.ts';

/** TCP states as /proc/net/tcp numbers them (include/net/tcp_states.h). */
const tcpStates: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'NEW_SYN_RECV',
};

export interface TcpSocket {
  readonly local: string;
  readonly remote: string;
  readonly state: string;
  readonly inode: number;
}

/** Each 32-bit word of the address is printed in host byte order (little-endian on x86 and arm64). */
function decodeAddress(hex: string): string {
  const [addr = '', portHex = '0'] = hex.split(':');
  const port = Number.parseInt(portHex, 16);
  const words = addr.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => Number.parseInt(b, 16)));
  if (bytes.length === 4) return `${bytes.join('.')}:${port}`;
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) reads better as the IPv4 address it is.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `${bytes.slice(12).join('.')}:${port}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return `[${groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}]:${port}`;
}

export function parseProcNetTcp(text: string): TcpSocket[] {
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line.trim())
    .map((line) => {
      const f = line.trim().split(/\s+/);
      return {
        local: decodeAddress(f[1] ?? ''),
        remote: decodeAddress(f[2] ?? ''),
        state: tcpStates[f[3] ?? ''] ?? f[3] ?? '?',
        inode: Number(f[9]),
      };
    });
}

export interface NetFacts {
  readonly counts: Record<string, number>;
  readonly listening: readonly { readonly address: string; readonly pid?: number; readonly comm?: string }[];
  /** TIME_WAIT sockets by remote endpoint, most first. */
  readonly timeWaitByRemote: readonly { readonly remote: string; readonly count: number }[];
  /** CLOSE_WAIT sockets by owning process, most first. */
  readonly closeWaitByProcess: readonly { readonly pid: number; readonly comm: string; readonly count: number }[];
  /** Size of the ephemeral port range: TIME_WAIT to one destination can use it up. */
  readonly ephemeralPorts: number;
}

export function collectNet(options: { procRoot?: string } = {}): NetFacts {
  const root = options.procRoot ?? '/proc';
  const sockets = ['tcp', 'tcp6'].flatMap((file) => {
    try {
      return parseProcNetTcp(readFileSync(join(root, 'net', file), 'utf8'));
    } catch {
      return [];
    }
  });
  const owners = new Map<number, { pid: number; comm: string }>();
  for (const pid of pids(root)) {
    const inodes = socketInodes(pid, root);
    if (inodes.length === 0) continue;
    const comm = readProcStat(pid, root)?.comm ?? '?';
    for (const inode of inodes) owners.set(inode, { pid, comm });
  }
  const counts: Record<string, number> = {};
  const timeWait = new Map<string, number>();
  const closeWait = new Map<number, { pid: number; comm: string; count: number }>();
  for (const s of sockets) {
    counts[s.state] = (counts[s.state] ?? 0) + 1;
    if (s.state === 'TIME_WAIT') timeWait.set(s.remote, (timeWait.get(s.remote) ?? 0) + 1);
    const owner = owners.get(s.inode);
    if (s.state === 'CLOSE_WAIT' && owner) {
      const entry = closeWait.get(owner.pid) ?? { ...owner, count: 0 };
      entry.count += 1;
      closeWait.set(owner.pid, entry);
    }
  }
  const [low = 0, high = 0] = readFileSync(join(root, 'sys/net/ipv4/ip_local_port_range'), 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  return {
    counts,
    listening: sockets
      .filter((s) => s.state === 'LISTEN')
      .map((s) => {
        const owner = owners.get(s.inode);
        return { address: s.local, ...(owner ? { pid: owner.pid, comm: owner.comm } : {}) };
      })
      .sort((a, b) => a.address.localeCompare(b.address)),
    timeWaitByRemote: [...timeWait].map(([remote, count]) => ({ remote, count })).sort((a, b) => b.count - a.count),
    closeWaitByProcess: [...closeWait.values()].sort((a, b) => b.count - a.count),
    ephemeralPorts: high - low + 1,
  };
}

export interface NetThresholds {
  /** TIME_WAIT sockets to one remote endpoint that mean connection churn (default 1000). */
  readonly timeWaitPerRemote?: number;
  /** CLOSE_WAIT sockets held by one process that mean it does not close (default 50). */
  readonly closeWaitPerProcess?: number;
}

export function analyzeNet(facts: NetFacts, thresholds: NetThresholds = {}): Finding[] {
  const findings: Finding[] = [];
  const perRemote = thresholds.timeWaitPerRemote ?? 1000;
  for (const { remote, count } of facts.timeWaitByRemote.filter((t) => t.count >= perRemote)) {
    const share = Math.round((count / facts.ephemeralPorts) * 100);
    findings.push(
      finding(failureModes.hostTimeWait, {
        severity: share >= 50 ? 'alert' : 'warn',
        subject: remote,
        what: 'connection churn: many short-lived connections to one endpoint',
        evidence: [
          `${count} sockets in TIME_WAIT to ${remote} (${share} % of ${facts.ephemeralPorts} ephemeral ports)`,
          `all TIME_WAIT: ${facts.counts.TIME_WAIT ?? 0}, ESTABLISHED: ${facts.counts.ESTABLISHED ?? 0}`,
        ],
        next:
          'The side that closes first holds TIME_WAIT: find the client that opens a connection per request to ' +
          `${remote} and give it a keep-alive agent or a pool. At 100 % of the range connect() fails with ` +
          'EADDRNOTAVAIL.',
      }),
    );
  }
  const perProcess = thresholds.closeWaitPerProcess ?? 50;
  for (const p of facts.closeWaitByProcess.filter((c) => c.count >= perProcess)) {
    findings.push(
      finding(failureModes.hostFdLeak, {
        check: 'net',
        severity: 'warn',
        subject: `pid ${p.pid} (${p.comm})`,
        what: 'sockets the peer closed but this process never did',
        evidence: [`${p.count} sockets in CLOSE_WAIT`],
        next:
          'Each is a leaked descriptor: a response body never consumed or a client never destroyed. Compare with ' +
          '`homelab triage fds` growth; restart to release them, then fix the missing close.',
      }),
    );
  }
  return findings;
}
