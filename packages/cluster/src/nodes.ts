/** Shape of the simulated nodes: a small home server each, spread over zones. */
export interface FakeNodeOptions {
  /** How many nodes. Default 3. */
  readonly count?: number;
  /** How many zones the nodes are spread over, round-robin (zone-a, zone-b, ...). Default 3. */
  readonly zones?: number;
  /** Capacity of each node. Default: a 4-core, 16 GiB mini PC with a 100 GiB disk and the kubelet's 110 pods. */
  readonly capacity?: {
    readonly cpu: string;
    readonly memory: string;
    readonly pods: string;
    readonly ephemeralStorage: string;
  };
}

export const defaultCapacity = { cpu: '4', memory: '16Gi', pods: '110', ephemeralStorage: '100Gi' } as const;

/** The annotation kwok's controller selects the nodes it fakes by (kwokctl's default selector). */
export const kwokNodeAnnotation = { 'kwok.x-k8s.io/node': 'fake' } as const;

export const zoneName = (i: number): string => `zone-${String.fromCharCode(97 + i)}`;

/**
 * Node objects kwok then keeps Ready (heartbeats, leases). Capacity must name `ephemeral-storage`: kwokctl's own
 * template has none, and every pod that requests it would stay Pending.
 */
export const fakeNodes = (options: FakeNodeOptions = {}) => {
  const count = options.count ?? 3;
  const zones = options.zones ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`nodes must be a positive integer, got ${count}`);
  if (!Number.isInteger(zones) || zones < 1 || zones > 26) throw new Error(`zones must be 1..26, got ${zones}`);
  const c = options.capacity ?? defaultCapacity;
  const resources = { cpu: c.cpu, memory: c.memory, pods: c.pods, 'ephemeral-storage': c.ephemeralStorage };
  return Array.from({ length: count }, (_, i) => {
    const name = `node-${i + 1}`;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        annotations: { ...kwokNodeAnnotation, 'node.alpha.kubernetes.io/ttl': '0' },
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node.kubernetes.io/instance-type': 'mini-pc',
          'topology.kubernetes.io/zone': zoneName(i % zones),
          'topology.kubernetes.io/region': 'home',
          type: 'kwok',
        },
      },
      spec: {},
      status: {
        capacity: resources,
        allocatable: resources,
        nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'fake', kubeProxyVersion: 'fake' },
        phase: 'Running',
      },
    };
  });
};
