import type { K3sAgentSettings } from './agent-settings.ts';
import { k3sInstallScriptUrl } from './k3s-install.ts';

/**
 * The shell the k3s agent commands run. Remote commands run over SSH, where environment variables are dropped
 * unless sshd's AcceptEnv lists them, so the plain values are written into the script (each one validated by
 * agent-settings.ts and single-quoted here) and the join token alone arrives on stdin: it is never on a command
 * line (`ps`), in a script, or in an environment variable of the SSH session.
 */

/** Single-quotes a value for /bin/sh. */
export const shellQuote = (value: string): string => `'${value.replaceAll("'", `'"'"'`)}'`;

/** Root runs as is; anyone else through passwordless sudo (`-n`: fail at once instead of waiting for a password). */
const sudo = `SUDO=; [ "$(id -u)" = 0 ] || SUDO='sudo -n'`;

/** Where a k3s server keeps the token agents join with (readable by root only). */
export const serverTokenPath = '/var/lib/rancher/k3s/server/node-token';

/** On the server (this machine): print the join token. Its stdout is a secret output. */
export const readServerToken = `set -eu
${sudo}
$SUDO cat ${serverTokenPath}`;

/** The `k3s agent` flags of one machine: its node name, labels and taints (applied when the node registers). */
export function agentFlags(agent: Pick<K3sAgentSettings, 'name' | 'labels' | 'taints'>): string[] {
  return [
    `--node-name=${agent.name}`,
    ...Object.entries(agent.labels).map(([key, value]) => `--node-label=${key}=${value}`),
    ...agent.taints.map((taint) => `--node-taint=${taint}`),
  ];
}

export interface AgentJoinOptions {
  /** The server's API endpoint, e.g. https://192.168.1.20:6443. */
  readonly serverUrl: string;
  /** The pinned k3s release, the server's own. */
  readonly version: string;
}

/**
 * On an agent machine: install the pinned k3s as an agent of the server (the installer is idempotent: a re-run
 * with a new version upgrades in place). The token is the first line of stdin.
 */
export function agentJoin(
  agent: Pick<K3sAgentSettings, 'name' | 'labels' | 'taints'>,
  options: AgentJoinOptions,
): string {
  return `set -eu
IFS= read -r K3S_TOKEN
export K3S_TOKEN K3S_URL=${shellQuote(options.serverUrl)} INSTALL_K3S_VERSION=${shellQuote(options.version)}
echo "joining $(hostname) to $K3S_URL as ${agent.name} (k3s $INSTALL_K3S_VERSION)" >&2
curl -sfL ${shellQuote(k3sInstallScriptUrl(options.version))} | sh -s - agent ${agentFlags(agent).map(shellQuote).join(' ')} >&2`;
}

/** On an agent machine: uninstall the agent (what the installer left: service, binaries, data). Idempotent. */
export const agentLeave = `${sudo}
if [ -x /usr/local/bin/k3s-agent-uninstall.sh ]; then $SUDO /usr/local/bin/k3s-agent-uninstall.sh >&2; fi`;

/** On the server: wait until the joined node is Ready, so what follows can schedule onto it. */
export const nodeReady = `set -eu
${sudo}
$SUDO k3s kubectl --kubeconfig "$K3S_KUBECONFIG" wait --for=condition=Ready "node/$NODE_NAME" --timeout=300s >&2`;

/**
 * On the server, before the agent is uninstalled: drain the node (PodDisruptionBudgets are honoured, so a drain that
 * would break one waits and then fails rather than taking the platform down), then remove the Node object.
 */
export const nodeRemove = `set -eu
${sudo}
kubectl() { $SUDO k3s kubectl --kubeconfig "$K3S_KUBECONFIG" "$@"; }
if kubectl get "node/$NODE_NAME" >/dev/null 2>&1; then
  kubectl drain "$NODE_NAME" --ignore-daemonsets --delete-emptydir-data --timeout=300s >&2
  kubectl delete "node/$NODE_NAME" --wait=true >&2
fi`;
