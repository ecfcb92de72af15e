import { type CheckName, checkNames, isCheckName, needsAction, renderReport, runCheck } from '@homelab/triage';
import type { Command } from '../framework/command.ts';
import { exitCodes, UsageError } from '../framework/exit-codes.ts';
import { integerFlag, parseFlags } from '../framework/flags.ts';

const usage = `homelab triage <check> [targets...] [options]

Finds what is wrong and says what to look at next, with the runbook for it. Exit code: 0 healthy, 1 findings
that need action, 2 usage error.

Checks:
  cpu                  top processes by CPU, load vs run queue and cores, iowait, saturation verdict
  mem                  top processes by RSS, available vs cache, swap, recent OOM kills, cgroup limits and usage
  fds                  open descriptors per process over two samples: leak suspects, near the limit
  net                  listening and established sockets, TIME_WAIT by remote, CLOSE_WAIT by process
  dns <name...>        resolution with timing per resolver: NXDOMAIN vs SERVFAIL vs timeout
  cert <host:port...>  chain, SANs against the name, issuer, days to expiry (ALERT under 14 days)
  k8s                  pods, deployments, PVCs, nodes, HPAs, certificates, Gateways and HTTPRoutes
  endpoints            Services without ready endpoints, and why
  all                  cpu, mem, fds, net, then k8s and endpoints when a kubeconfig works

Options:
  --json                 machine-readable reports (facts and findings) instead of tables
  --interval <ms>        sampling interval of cpu and fds (default 1000)
  --top <n>              rows in the top-process tables (default 10)
  --server <ip[:port]>   dns: ask this resolver (repeatable; default /etc/resolv.conf)
  --timeout <ms>         dns: per-resolver timeout (default 2000)
  --ca <file>            cert: trust this PEM CA (repeatable; default the system store)
  --servername <name>    cert: check this name instead of each target's host
  --cgroup <path>        mem: also read this cgroup (repeatable)
  --kubeconfig <file>    k8s, endpoints: default KUBECONFIG or ~/.kube/config
  --context <name>       k8s, endpoints: kubeconfig context
  -n, --namespace <ns>   k8s, endpoints: only this namespace
`;

async function runTriage(argv: readonly string[]): Promise<number> {
  const { check, options, json } = parse(argv);
  const reports = await runCheck(check, options);
  // Scripts get the facts and findings; the tables are the same facts laid out for people.
  if (json)
    process.stdout.write(
      `${JSON.stringify(
        reports.map(({ tables: _tables, ...rest }) => rest),
        null,
        2,
      )}\n`,
    );
  else for (const report of reports) process.stdout.write(`${renderReport(report, process.stdout.columns ?? 140)}\n`);
  return needsAction(reports.flatMap((r) => r.findings)) ? exitCodes.findings : exitCodes.ok;
}

function parse(argv: readonly string[]) {
  const { values, positionals } = parseFlags(
    argv,
    {
      json: { type: 'boolean' },
      interval: { type: 'string' },
      top: { type: 'string' },
      server: { type: 'string', multiple: true },
      timeout: { type: 'string' },
      ca: { type: 'string', multiple: true },
      servername: { type: 'string' },
      cgroup: { type: 'string', multiple: true },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
    },
    { positionals: true },
  );
  const [name, ...targets] = positionals;
  if (!name) throw new UsageError(`which check? one of ${checkNames.join(', ')}`);
  if (!isCheckName(name)) throw new UsageError(`unknown check "${name}": one of ${checkNames.join(', ')}`);
  const check: CheckName = name;
  if ((check === 'dns' || check === 'cert') && targets.length === 0) {
    throw new UsageError(check === 'dns' ? 'dns needs at least one name' : 'cert needs at least one host:port');
  }
  if (check !== 'dns' && check !== 'cert' && targets.length > 0) {
    throw new UsageError(`${check} takes no arguments, got "${targets.join(' ')}"`);
  }
  const intervalMs = integerFlag(values.interval, 'interval', undefined, 1);
  const top = integerFlag(values.top, 'top', undefined, 1);
  const dnsTimeoutMs = integerFlag(values.timeout, 'timeout', undefined, 1);
  return {
    check,
    json: values.json === true,
    options: {
      targets,
      ...(intervalMs ? { intervalMs } : {}),
      ...(top ? { top } : {}),
      ...(dnsTimeoutMs ? { dnsTimeoutMs } : {}),
      ...(values.server ? { dnsServers: values.server } : {}),
      ...(values.ca ? { caFiles: values.ca } : {}),
      ...(values.servername ? { servername: values.servername } : {}),
      ...(values.cgroup ? { cgroups: values.cgroup } : {}),
      ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
      ...(values.context ? { context: values.context } : {}),
      ...(values.namespace ? { namespace: values.namespace } : {}),
    },
  };
}

/** `homelab triage`: parses flags and dispatches to @homelab/triage; everything else lives in that package. */
export const triage: Command = {
  summary: 'find what is wrong: host, DNS, TLS, cluster',
  usage,
  run: runTriage,
};
