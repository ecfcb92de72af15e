import { bootstrap, defaultStorageClass } from '@homelab/platform';

/** Which Kubernetes distribution runs the platform. */
export type ClusterFlavour = 'kind' | 'k3s';
export const clusterFlavours: readonly ClusterFlavour[] = ['kind', 'k3s'];

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
}

export const defaultK3sKubeconfig = '/etc/rancher/k3s/k3s.yaml';

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
  return {
    cluster: flavour,
    clusterName: bootstrap.clusterName,
    ...(nodeAddress ? { nodeAddress } : {}),
    k3sInstall: k3sInstallRaw === 'true',
    k3sKubeconfig: get('k3sKubeconfig') ?? defaultK3sKubeconfig,
    storageClass: defaultStorageClass,
  };
}
