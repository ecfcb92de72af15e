import { parseArgs } from 'node:util';
import { clusterDown, clusterStatus, clusterUp, defaultClusterName } from '@homelab/cluster';

export const clusterUsage = `homelab cluster <up|down|status> [options]

A real Kubernetes control plane on 127.0.0.1 (etcd, kube-apiserver with RBAC and Pod Security admission,
controller manager, scheduler; versions pinned in packages/platform/versions.json) whose nodes are SIMULATED by
kwok: pods get scheduled, become Ready and fill EndpointSlices, but no container runs. Build the binaries first
with \`bash scripts/k8s-tools.sh\`.

  up       start it: simulated nodes across zones, a local-path StorageClass with static volumes, the CRDs of
           the pinned add-ons; writes a kubeconfig and prints its path
  down     stop it and delete its data
  status   whether it answers, its version and nodes

Options:
  --name <name>   cluster name (default ${defaultClusterName})
  --nodes <n>     simulated nodes (up; default 3)
  --zones <n>     zones the nodes are spread over (up; default 3)
  --json          machine-readable status

Exit codes: 0 done / running, 1 failed, 2 bad usage, 3 (status) not running.
`;

const say = (line: string) => process.stdout.write(`${line}\n`);

const positiveInt = (flag: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got "${raw}"`);
  return n;
};

class UsageError extends Error {}

/** `homelab cluster ...`: parses flags and dispatches to @homelab/cluster. */
export async function cluster(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        nodes: { type: 'string' },
        zones: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  try {
    parsed = parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${clusterUsage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    say(clusterUsage);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (!action || extra.length || !['up', 'down', 'status'].includes(action)) {
    process.stderr.write(`expected one of up, down, status\n\n${clusterUsage}`);
    return 2;
  }
  const name = values.name ?? defaultClusterName;
  try {
    if (action === 'up') {
      const count = positiveInt('nodes', values.nodes);
      const zones = positiveInt('zones', values.zones);
      const info = await clusterUp({ name, count, zones, log: (l) => say(`cluster: ${l}`) });
      say(`cluster "${info.name}" is up in ${info.seconds.toFixed(1)} s at ${info.server}`);
      say(`nodes are simulated by kwok: scheduling, readiness and endpoints are real API objects, no container runs`);
      for (const n of info.nodes) say(`  ${n.name}  ${n.zone}`);
      say(`kubeconfig: ${info.kubeconfig}\n  export KUBECONFIG=${info.kubeconfig}`);
      return 0;
    }
    if (action === 'down') {
      const removed = await clusterDown({ name });
      say(removed ? `cluster "${name}" stopped and deleted` : `cluster "${name}" does not exist`);
      return 0;
    }
    const status = await clusterStatus({ name });
    if (values.json) say(JSON.stringify(status, null, 2));
    else if (!status.exists) say(`cluster "${name}" does not exist (homelab cluster up)`);
    else if (!status.ready) say(`cluster "${name}" exists but its API server does not answer at ${status.server}`);
    else {
      say(`cluster "${name}" is running: ${status.version} at ${status.server}`);
      say(`kubeconfig: ${status.kubeconfig}`);
      for (const n of status.nodes) {
        say(`  ${n.name}  ${n.zone}  ${n.ready ? 'Ready' : 'NotReady'}${n.simulated ? '  (simulated by kwok)' : ''}`);
      }
    }
    return status.ready ? 0 : 3;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${clusterUsage}`);
      return 2;
    }
    throw error;
  }
}
