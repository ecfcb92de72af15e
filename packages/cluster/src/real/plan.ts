import { join } from 'node:path';
import { clusterServices } from '@homelab/platform';

/**
 * Names, addresses and ports of one real-node run, as data. Pure, so the choices are tested without root.
 *
 * The addresses are private ranges that must NOT already be routed anywhere on this machine (checked before use,
 * see host.ts): the node IPs live on one bridge with no ports, each node's pods on a bridge of its own that the
 * CNI bridge plugin creates. All nodes share the host's network namespace, so pod-to-pod traffic between nodes is
 * plain routing between two local bridges, and one kube-proxy programs the (shared) iptables for all of them.
 * One real-node run per machine: kube-proxy's KUBE-* chains are global, so a second run would fight the first.
 */
export interface RealNodePlan {
  readonly dir: string;
  /** The bridge holding the node IPs and the cluster DNS address. */
  readonly nodeBridge: string;
  readonly nodeCidr: string;
  /** CoreDNS (a host process, like kube-proxy) listens here; the kube-dns Service's endpoint. */
  readonly dnsAddress: string;
  readonly serviceCidr: string;
  readonly dnsServiceIp: string;
  readonly podCidr: string;
  readonly clusterDomain: string;
  /** The iptables chain (filter table) the FORWARD hook jumps to. */
  readonly forwardChain: string;
  readonly nodes: readonly RealNode[];
  /** Loopback ports of the host processes' health and metrics endpoints. */
  readonly ports: {
    readonly proxyHealthz: number;
    readonly proxyMetrics: number;
    readonly dnsHealth: number;
    readonly dnsReady: number;
  };
}

export interface RealNode {
  readonly name: string;
  readonly index: number;
  readonly ip: string;
  readonly podCidr: string;
  readonly podGateway: string;
  readonly podBridge: string;
  readonly cniNetwork: string;
  /** The node's kubelet cgroups live under this parent, so two kubelets on one host never share /kubepods. */
  readonly cgroupRoot: string;
  readonly dir: string;
  readonly containerdSocket: string;
  readonly kubeletHealthzPort: number;
  readonly zone: string;
}

export interface PlanOptions {
  /** How many nodes (1..8). */
  readonly count: number;
  /** The run's directory (state, sockets, configs, undo journal). */
  readonly dir: string;
  /** Zones the nodes are spread over, round-robin. Default 2. */
  readonly zones?: number;
  /** First loopback port for the host processes' health endpoints. Default 18240. */
  readonly basePort?: number;
}

/** Interface names are at most 15 bytes; every link the run creates starts with this, so teardown can find them. */
export const linkPrefix = 'hl-';
export const chainPrefix = 'HL-';

export const planRealNodes = (o: PlanOptions): RealNodePlan => {
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > 8) {
    throw new Error(`real nodes must be an integer from 1 to 8, got ${o.count}`);
  }
  const zones = o.zones ?? 2;
  const base = o.basePort ?? 18240;
  const nodes: RealNode[] = Array.from({ length: o.count }, (_, i) => {
    const name = `node-${i + 1}`;
    const dir = join(o.dir, name);
    return {
      name,
      index: i,
      ip: `10.240.0.${11 + i}`,
      podCidr: `10.241.${i + 1}.0/24`,
      podGateway: `10.241.${i + 1}.1`,
      podBridge: `${linkPrefix}pods${i + 1}`,
      cniNetwork: `homelab-pods-${i + 1}`,
      cgroupRoot: `/homelab-${name}`,
      dir,
      containerdSocket: join(dir, 'containerd', 'containerd.sock'),
      kubeletHealthzPort: base + 10 + i,
      zone: `zone-${String.fromCharCode(97 + (i % zones))}`,
    };
  });
  return {
    dir: o.dir,
    nodeBridge: `${linkPrefix}nodes`,
    nodeCidr: '10.240.0.0/24',
    dnsAddress: '10.240.0.2',
    serviceCidr: '10.96.0.0/16',
    dnsServiceIp: '10.96.0.10',
    podCidr: '10.241.0.0/16',
    clusterDomain: clusterServices.clusterDomain,
    forwardChain: `${chainPrefix}FORWARD`,
    nodes,
    ports: { proxyHealthz: base, proxyMetrics: base + 1, dnsHealth: base + 2, dnsReady: base + 3 },
  };
};
