import { type KubeClients, kubeClients, serverSideApply } from '@homelab/cluster';
import type { RolloutResult } from '@homelab/deploy-report';
import { canaryGate, namespaces } from '@homelab/platform';
import type { KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import { fieldManager } from './cluster-driver.ts';

/** One line of the cluster's history: the record without its timeline (a ConfigMap holds at most 1 MiB). */
export type HistoryLine = Omit<RolloutResult, 'timeline'> & { readonly decidedAtSeconds: number };

const key = canaryGate.history.configMapKey;

/**
 * The deploy history in the cluster: the ConfigMap `canaryGate.history.configMap` in the apps namespace, one JSON
 * line per rollout, the newest `maxEntries` kept. Written by server-side apply as the deployer, so its Role needs
 * `get` and `patch` on that one ConfigMap (and the ConfigMap must exist: apply by name cannot create under a
 * Role restricted by resourceNames).
 */
export function clusterHistory(options: { kubeConfig: KubeConfig; namespace?: string }) {
  const clients: KubeClients = kubeClients(options.kubeConfig);
  const namespace = options.namespace ?? namespaces.apps;
  const name = canaryGate.history.configMap;
  const read = async (): Promise<string[]> => {
    const cm = await clients.objects.read<V1ConfigMap>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace },
    });
    return (cm.data?.[key] ?? '').split('\n').filter(Boolean);
  };
  return {
    read,
    async append(result: RolloutResult): Promise<void> {
      const { timeline, ...rest } = result;
      const line: HistoryLine = { ...rest, decidedAtSeconds: timeline.at(-1)?.at ?? 0 };
      const lines = [...(await read()), JSON.stringify(line)].slice(-canaryGate.history.maxEntries);
      await serverSideApply(
        clients.objects,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace },
          data: { [key]: `${lines.join('\n')}\n` },
        },
        fieldManager,
      );
    },
  };
}
