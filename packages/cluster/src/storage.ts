/** The storage class the data StatefulSets claim from, as on the k3s host (rancher's local-path provisioner). */
export const storageClassName = 'local-path';

export interface StaticVolumeOptions {
  /** How many PersistentVolumes to pre-create. Default 8 (postgres, redis, backups, with room for reschedules). */
  readonly count?: number;
  /** Size of each. Default 20Gi, above every claim the manifests make. */
  readonly size?: string;
  /**
   * Real nodes: `local` volumes in directories under this root, pinned round-robin to these nodes (a pod that
   * claims one is scheduled where its data is). Default: hostPath volumes that only simulated nodes "mount".
   */
  readonly local?: { readonly root: string; readonly nodes: readonly string[] };
}

/** The directory of static volume `i` (1-based) under a real run's volume root. */
export const localVolumePath = (root: string, i: number): string => `${root}/pv-${i}`;

/**
 * No provisioner runs on simulated nodes, so claims bind to static volumes. The class must exist BEFORE any claim:
 * a claim created first waits forever on an external provisioner. `WaitForFirstConsumer` as local-path has, so
 * binding follows scheduling like on the real host.
 */
export const localPathStorage = (options: StaticVolumeOptions = {}) => {
  const count = options.count ?? 8;
  const size = options.size ?? '20Gi';
  return [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: storageClassName, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
    ...Array.from({ length: count }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `local-pv-${i + 1}`, labels: { 'homelab.dev/static-volume': 'true' } },
      spec: {
        capacity: { storage: size },
        accessModes: ['ReadWriteOnce'],
        // Retain: the PV controller cannot delete a hostPath volume outside /tmp, Delete would leave it Failed.
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName,
        ...(options.local
          ? {
              local: { path: localVolumePath(options.local.root, i + 1) },
              nodeAffinity: {
                required: {
                  nodeSelectorTerms: [
                    {
                      matchExpressions: [
                        {
                          key: 'kubernetes.io/hostname',
                          operator: 'In',
                          values: [options.local.nodes[i % options.local.nodes.length]],
                        },
                      ],
                    },
                  ],
                },
              },
            }
          : { hostPath: { path: `/var/lib/homelab-local-path/pv-${i + 1}` } }),
      },
    })),
  ];
};
