import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { failureModes } from '@homelab/platform';
import { type Finding, finding } from '../finding.ts';

/**
 * What one resolver said about one name. NXDOMAIN (the name does not exist), SERVFAIL (the resolver could not
 * get an answer: upstream down, DNSSEC failure) and a timeout (nobody answered) need different fixes, so they are
 * never folded into one "lookup failed".
 */
export type DnsOutcome =
  | 'answer'
  | 'nodata'
  | 'nxdomain'
  | 'servfail'
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'error';

export interface DnsAttempt {
  readonly server: string;
  readonly outcome: DnsOutcome;
  readonly ms: number;
  readonly addresses: readonly string[];
  /** The resolver library's error code, verbatim, when there was one. */
  readonly code?: string;
}

export interface DnsFacts {
  readonly name: string;
  /** In the order tried, like the system resolver: the next server only when the previous gave no answer. */
  readonly attempts: readonly DnsAttempt[];
}

/** c-ares error codes as Node surfaces them, mapped to what the server (or the lack of one) said. */
const outcomes: Record<string, DnsOutcome> = {
  ENOTFOUND: 'nxdomain',
  ENODATA: 'nodata',
  ESERVFAIL: 'servfail',
  EREFUSED: 'refused',
  ETIMEOUT: 'timeout',
  ECONNREFUSED: 'unreachable',
};

/** The `nameserver` lines of resolv.conf, in order. */
export function systemResolvers(path = '/etc/resolv.conf'): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
      .filter((s): s is string => s !== undefined);
  } catch {
    return [];
  }
}

/** Outcomes that are a resolver's answer; anything else means try the next resolver. */
const answered = new Set<DnsOutcome>(['answer', 'nodata', 'nxdomain']);

async function ask(server: string, name: string, timeoutMs: number): Promise<DnsAttempt> {
  // One try, own timeout: the system resolver's retries would hide which server is slow.
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([server]);
  const start = performance.now();
  try {
    let addresses: string[];
    try {
      addresses = await resolver.resolve4(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENODATA') throw error;
      addresses = await resolver.resolve6(name);
    }
    return { server, outcome: 'answer', ms: performance.now() - start, addresses };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    return { server, outcome: outcomes[code] ?? 'error', ms: performance.now() - start, addresses: [], code };
  }
}

export interface DnsOptions {
  /** `ip` or `ip:port`; default the nameservers of /etc/resolv.conf. */
  readonly servers?: readonly string[];
  /** Per server (default 2000 ms). */
  readonly timeoutMs?: number;
}

export async function collectDns(names: readonly string[], options: DnsOptions = {}): Promise<DnsFacts[]> {
  const servers = options.servers?.length ? options.servers : systemResolvers();
  if (servers.length === 0) throw new Error('no resolver: /etc/resolv.conf has no nameserver and none was given');
  const timeoutMs = options.timeoutMs ?? 2000;
  const out: DnsFacts[] = [];
  for (const name of names) {
    const attempts: DnsAttempt[] = [];
    for (const server of servers) {
      const attempt = await ask(server, name, timeoutMs);
      attempts.push(attempt);
      if (answered.has(attempt.outcome)) break;
    }
    out.push({ name, attempts });
  }
  return out;
}

export interface DnsThresholds {
  /** An answer slower than this is a warning (default 250 ms: every uncached request pays it). */
  readonly slowMs?: number;
}

const ms = (n: number) => `${Math.round(n)} ms`;

const explain: Record<DnsOutcome, { what: string; next: string }> = {
  answer: { what: 'resolves', next: '' },
  nodata: {
    what: 'the name exists but has no A or AAAA record',
    next: 'Check the record type: a CNAME to nowhere, or only other records (MX, TXT) published.',
  },
  nxdomain: {
    what: 'NXDOMAIN: the resolver says the name does not exist',
    next:
      'Check the spelling and the search domain; in a cluster, `<service>.<namespace>.svc.cluster.local` ' +
      'exists only while the Service does; at home, the /etc/hosts line or the local zone for the base domain.',
  },
  servfail: {
    what: 'SERVFAIL: the resolver could not get an answer',
    next:
      'The resolver is up but its upstream is not (forwarder unreachable, DNSSEC validation failing): ' +
      'ask its upstream directly, check CoreDNS logs (`kubectl -n kube-system logs -l k8s-app=kube-dns`).',
  },
  refused: {
    what: 'REFUSED: the resolver will not answer this client',
    next: 'Check the resolver ACLs (allowed networks) or use the resolver meant for this host.',
  },
  timeout: {
    what: 'no answer before the timeout',
    next:
      'The resolver is down or unreachable: check it listens (`homelab triage net` on its host), the path ' +
      '(firewall, NetworkPolicy to kube-dns on 53/UDP), and that it is not overloaded.',
  },
  unreachable: {
    what: 'the resolver port refused the connection',
    next: 'Nothing listens on the resolver address: start the resolver or fix /etc/resolv.conf.',
  },
  error: { what: 'the lookup failed', next: 'See the error code in the evidence.' },
};

export function analyzeDns(facts: readonly DnsFacts[], thresholds: DnsThresholds = {}): Finding[] {
  const slowMs = thresholds.slowMs ?? 250;
  const findings: Finding[] = [];
  for (const { name, attempts } of facts) {
    const final = attempts.at(-1);
    if (!final) continue;
    const evidence = attempts.map(
      (a) =>
        `${a.server}: ${a.outcome}${a.code ? ` (${a.code})` : ''} in ${ms(a.ms)}${a.addresses.length ? ` -> ${a.addresses.join(', ')}` : ''}`,
    );
    const failedBefore = attempts.slice(0, -1);
    if (final.outcome !== 'answer') {
      const { what, next } = explain[final.outcome];
      findings.push(
        finding(failureModes.dnsResolution, {
          severity: 'alert',
          subject: name,
          what: answered.has(final.outcome)
            ? `${what} (answered by ${final.server})`
            : `${what} (${attempts.length === 1 ? final.server : `all ${attempts.length} resolvers`})`,
          evidence,
          next,
        }),
      );
    } else if (failedBefore.length > 0) {
      findings.push(
        finding(failureModes.dnsResolution, {
          severity: 'warn',
          subject: name,
          what: `resolves only through ${final.server}: earlier resolvers failed, so every lookup waits for them first`,
          evidence,
          next: `${explain[failedBefore[0]?.outcome ?? 'error'].next} Or drop the failing resolver from the list.`,
        }),
      );
    } else if (final.ms > slowMs) {
      findings.push(
        finding(failureModes.dnsResolution, {
          severity: 'warn',
          subject: name,
          what: `slow answer from ${final.server}`,
          evidence,
          next: 'Check the resolver caches (a cold cache forwards every query) and its upstream latency.',
        }),
      );
    }
  }
  return findings;
}
