import { parseArgs } from 'node:util';
import { clusterDown, clusterStatus, clusterUp, defaultClusterName } from '@homelab/cluster';
import { apiStandIn, postgresStandIn, redisStandIn } from '@homelab/drill-targets';

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
  --real-nodes <n>
                  REAL nodes instead (up): n containerd + kubelet nodes, one kube-proxy (iptables) and CoreDNS,
                  node and pod addresses on bridges the run creates, FORWARD limited to them; needs root, Debian's
                  containerd/runc/containernetworking-plugins/iptables and \`bash scripts/k8s-node-tools.sh\`.
                  Images (pause, the api stand-in, PostgreSQL, Redis) are built here and imported into each node.
                  \`down\` undoes every host change (links, iptables, routes, mounts, cgroups, sysctls).
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
        'real-nodes': { type: 'string' },
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
      const realNodes = positiveInt('real-nodes', values['real-nodes']);
      const info = await clusterUp({
        name,
        count,
        zones,
        realNodes,
        images: realNodes ? [apiStandIn(), postgresStandIn(), redisStandIn()] : [],
        log: (l) => say(`cluster: ${l}`),
      });
      say(`cluster "${info.name}" is up in ${info.seconds.toFixed(1)} s at ${info.server}`);
      say(
        info.real
          ? `nodes are REAL: containerd + kubelet each, kube-proxy (iptables), CoreDNS at ${info.real.plan.dnsServiceIp}; images: ${info.real.images.map((i) => i.ref).join(', ')}`
          : `nodes are simulated by kwok: scheduling, readiness and endpoints are real API objects, no container runs`,
      );
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
        say(
          `  ${n.name}  ${n.zone}  ${n.ready ? 'Ready' : 'NotReady'}${n.simulated ? '  (simulated by kwok)' : '  (real kubelet)'}`,
        );
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
