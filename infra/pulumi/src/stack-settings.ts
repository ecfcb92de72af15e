import { homedir } from 'node:os';
import { bootstrap, defaultStorageClass } from '@homelab/platform';
import { type K3sAgentSettings, parseAgents } from './agent-settings.ts';

/**
 * Which Kubernetes cluster runs the platform: kind and k3s are created (or checked) by the program; `existing` is
 * any cluster someone else runs, reached through a kubeconfig file.
 */
export type ClusterFlavour = 'kind' | 'k3s' | 'existing';
export const clusterFlavours: readonly ClusterFlavour[] = ['kind', 'k3s', 'existing'];

/**
 * How the add-ons arrive: `charts` (default, the home path) installs the pinned Helm releases; `crds` applies only
 * their CustomResourceDefinitions from a directory, for a machine that cannot fetch charts or images (CI: the
 * control plane of scripts/k8s-tools.sh has simulated nodes, and the chart repositories are out of reach).
 */
export type AddonMode = 'charts' | 'crds';
export const addonModes: readonly AddonMode[] = ['charts', 'crds'];

/** The stack's plain (non-secret) settings, read from `homelab:*` config. */
export interface StackSettings {
  /** `homelab:cluster`, default `kind`: a throwaway cluster in Docker, or k3s on the mini PC itself. */
  readonly cluster: ClusterFlavour;
  /** The kind cluster's name (and kubeconfig context): platform `bootstrap.clusterName`. */
  readonly clusterName: string;
  /**
   * `homelab:nodeAddress`, default: detected (the first LAN IPv4 of this machine). The address the platform's
   * hostnames must resolve to, so browsers on the network reach the gateway.
   */
  readonly nodeAddress?: string;
  /**
   * `homelab:k3sInstall`, default false: run the pinned k3s installer (needs root or passwordless sudo) instead
   * of using a k3s that is already installed.
   */
  readonly k3sInstall: boolean;
  /** `homelab:k3sKubeconfig`, default `/etc/rancher/k3s/k3s.yaml`: where k3s writes its kubeconfig. */
  readonly k3sKubeconfig: string;
  /**
   * The storage class every volume asks for: k3s's `local-path` on both (on kind, Cluster adds a `local-path`
   * class backed by kind's own provisioner), so the synthesized manifests are the same for either.
   */
  readonly storageClass: string;
  /** `homelab:kubeconfig`, required for `existing`: the kubeconfig file of that cluster (its current context). */
  readonly kubeconfig?: string;
  /** `homelab:addons`, default `charts`. */
  readonly addons: AddonMode;
  /** `homelab:addonCrds`, required for `crds`: the directory of the add-ons' CRD YAML (scripts/k8s-tools.sh fills one). */
  readonly addonCrds?: string;
  /** `homelab:agents`, k3s only, default none: more machines that join the k3s server as agents over SSH. */
  readonly agents: readonly K3sAgentSettings[];
}

export const defaultK3sKubeconfig = '/etc/rancher/k3s/k3s.yaml';

/** `~/.kube/config` as people type it; the preflight and the program read the expanded path. */
const expandHome = (path: string) => (path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path);

const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * Parses the stack's plain settings. `get` returns a key's raw value (`pulumi.Config('homelab').get`); every
 * malformed value throws an error naming the key and the command that fixes it.
 */
export function parseStackSettings(get: (key: string) => string | undefined): StackSettings {
  const cluster = get('cluster') ?? 'kind';
  if (!clusterFlavours.includes(cluster as ClusterFlavour)) {
    throw new Error(
      `homelab:cluster is "${cluster}"; expected one of ${clusterFlavours.join(', ')}: pulumi config set cluster kind`,
    );
  }
  const nodeAddress = get('nodeAddress');
  if (nodeAddress !== undefined && !ipv4.test(nodeAddress)) {
    throw new Error(
      `homelab:nodeAddress is "${nodeAddress}"; expected this machine's IPv4 address, e.g. pulumi config set nodeAddress 192.168.1.20`,
    );
  }
  const k3sInstallRaw = get('k3sInstall') ?? 'false';
  if (k3sInstallRaw !== 'true' && k3sInstallRaw !== 'false') {
    throw new Error(`homelab:k3sInstall is "${k3sInstallRaw}"; expected true or false`);
  }
  const flavour = cluster as ClusterFlavour;
  const kubeconfig = get('kubeconfig');
  if (flavour === 'existing' && !kubeconfig) {
    throw new Error(
      'homelab:cluster is "existing" but homelab:kubeconfig is not set: pulumi config set kubeconfig ~/.kube/config (the file of that cluster)',
    );
  }
  const addons = get('addons') ?? 'charts';
  if (!addonModes.includes(addons as AddonMode)) {
    throw new Error(
      `homelab:addons is "${addons}"; expected one of ${addonModes.join(', ')}: pulumi config set addons charts`,
    );
  }
  const addonCrds = get('addonCrds');
  if (addons === 'crds' && !addonCrds) {
    throw new Error(
      'homelab:addons is "crds" but homelab:addonCrds is not set: pulumi config set addonCrds "$(bash scripts/k8s-tools.sh --print-dir | sed -n s/^crds=//p)"',
    );
  }
  const agents = parseAgents(get('agents'));
  if (agents.length > 0 && flavour !== 'k3s') {
    throw new Error(
      `homelab:agents joins machines to a k3s server; homelab:cluster is "${flavour}": pulumi config set cluster k3s`,
    );
  }
  return {
    cluster: flavour,
    clusterName: bootstrap.clusterName,
    ...(nodeAddress ? { nodeAddress } : {}),
    k3sInstall: k3sInstallRaw === 'true',
    k3sKubeconfig: get('k3sKubeconfig') ?? defaultK3sKubeconfig,
    storageClass: defaultStorageClass,
    ...(kubeconfig ? { kubeconfig: expandHome(kubeconfig) } : {}),
    addons: addons as AddonMode,
    ...(addonCrds ? { addonCrds } : {}),
    agents,
  };
}
