import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RealNode } from './plan.ts';

/** Where Debian's containernetworking-plugins package installs the CNI plugins. */
export const cniBinDir = '/usr/lib/cni';

/** The blackhole every image pull goes to: nothing listens on port 1 of loopback, so a pull fails here, safely. */
export const noRegistry = 'http://127.0.0.1:1';

export const containerdDirs = (node: RealNode) => {
  const base = join(node.dir, 'containerd');
  return {
    base,
    root: join(base, 'root'),
    state: join(base, 'state'),
    runc: join(base, 'runc'),
    config: join(base, 'config.toml'),
    cniConf: join(base, 'net.d'),
    cniData: join(base, 'cni-ipam'),
    hosts: join(base, 'certs.d'),
    log: join(base, 'containerd.log'),
  };
};

/**
 * containerd 1.6 (Debian) for one node, every path under the run's directory. The measured traps (real-nodes-facts):
 * `restrict_oom_score_adj` because the build machines lack CAP_SYS_RESOURCE (every sandbox fails without it);
 * runc with cgroupfs (crun refuses the hybrid cgroup layout); netns mounts under the state dir, so teardown finds
 * them. Registries: every host resolves to `noRegistry` (hosts.toml `_default`), so a pull can never leave the
 * machine; images are imported, and a missing one is a real ErrImagePull.
 */
export const containerdConfig = (node: RealNode, sandboxImage: string): string => {
  const d = containerdDirs(node);
  return `version = 2
root = "${d.root}"
state = "${d.state}"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "${node.containerdSocket}"

[ttrpc]
  address = "${node.containerdSocket}.ttrpc"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "${join(d.base, 'opt')}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${sandboxImage}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${d.runc}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${cniBinDir}"
    conf_dir = "${d.cniConf}"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "${d.hosts}"
`;
};

/** The bridge plugin with host-local IPAM: the node's pod range on its own bridge, the gateway on the host side. */
export const cniConfig = (node: RealNode, routed: readonly string[]) => ({
  cniVersion: '0.4.0',
  name: node.cniNetwork,
  plugins: [
    {
      type: 'bridge',
      bridge: node.podBridge,
      isGateway: true,
      // No NAT to the outside: pods talk to each other and to the run's addresses only.
      ipMasq: false,
      // A pod reaching itself through its own Service comes back over the same bridge port.
      hairpinMode: true,
      ipam: {
        type: 'host-local',
        ranges: [[{ subnet: node.podCidr, gateway: node.podGateway }]],
        // Routes to the run's ranges only (Services, nodes, pods), no default route: inside a pod anything else is
        // "network unreachable" before a packet is even sent.
        routes: routed.map((dst) => ({ dst })),
        // Kept under the run's directory instead of /var/lib/cni, so teardown takes the allocations with it.
        dataDir: containerdDirs(node).cniData,
      },
    },
    { type: 'loopback' },
  ],
});

/** Writes a node's containerd config, CNI config and the registry blackhole. */
export function writeContainerdFiles(node: RealNode, sandboxImage: string, routed: readonly string[]): void {
  const d = containerdDirs(node);
  for (const dir of [d.root, d.state, d.cniConf, d.cniData, join(d.hosts, '_default')])
    mkdirSync(dir, { recursive: true });
  writeFileSync(d.config, containerdConfig(node, sandboxImage));
  writeFileSync(join(d.cniConf, '10-homelab.conflist'), JSON.stringify(cniConfig(node, routed), null, 2));
  writeFileSync(
    join(d.hosts, '_default', 'hosts.toml'),
    `server = "${noRegistry}"\n\n[host."${noRegistry}"]\n  capabilities = ["pull", "resolve"]\n`,
  );
}
