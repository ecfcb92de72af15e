import { clusterDown, clusterStatus, clusterUp, defaultClusterName } from '@homelab/cluster';
import { nodeImages } from '@homelab/drill-targets';
import { type Command, exitCodes, integerFlag, jsonFlag, parseFlags, UsageError } from '../framework/index.ts';

const usage = `homelab cluster <up|down|status> [options]

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

const actions = ['up', 'down', 'status'] as const;
type Action = (typeof actions)[number];
const isAction = (name: string | undefined): name is Action =>
  (actions as readonly (string | undefined)[]).includes(name);

/** A count flag: a whole number >= 1, or undefined (the package's default) when absent. */
const countFlag = (value: string | undefined, flag: string) => integerFlag(value, flag, undefined, 1);

async function up(name: string, values: { nodes?: string; zones?: string; 'real-nodes'?: string }): Promise<number> {
  // Every flag is checked before anything starts, so a typo never leaves half a cluster behind.
  const count = countFlag(values.nodes, 'nodes');
  const zones = countFlag(values.zones, 'zones');
  const realNodes = countFlag(values['real-nodes'], 'real-nodes');
  const info = await clusterUp({
    name,
    count,
    zones,
    realNodes,
    images: realNodes ? nodeImages() : [],
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
  return exitCodes.ok;
}

async function down(name: string): Promise<number> {
  const removed = await clusterDown({ name });
  say(removed ? `cluster "${name}" stopped and deleted` : `cluster "${name}" does not exist`);
  return exitCodes.ok;
}

async function status(name: string, json: boolean): Promise<number> {
  const status = await clusterStatus({ name });
  if (json) say(JSON.stringify(status, null, 2));
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
  return status.ready ? exitCodes.ok : exitCodes.notRunning;
}

/** `homelab cluster <up|down|status>`: parses flags and dispatches to @homelab/cluster. */
export const cluster: Command = {
  summary: 'a real control plane with simulated nodes (kwok)',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        name: { type: 'string' },
        nodes: { type: 'string' },
        'real-nodes': { type: 'string' },
        zones: { type: 'string' },
        ...jsonFlag,
      },
      { positionals: true },
    );
    const [action, ...extra] = positionals;
    if (!isAction(action) || extra.length > 0) throw new UsageError(`expected one of ${actions.join(', ')}`);
    const name = values.name ?? defaultClusterName;
    if (action === 'up') return up(name, values);
    if (action === 'down') return down(name);
    return status(name, values.json === true);
  },
};
