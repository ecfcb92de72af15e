import { kubeClients } from '@homelab/cluster';
import type { ClusterFacts, CustomObject } from './facts.ts';

export interface ClusterOptions {
  /** Path of a kubeconfig; default the usual lookup (KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Only this namespace (default all). */
  readonly namespace?: string;
}

const isNotFound = (error: unknown) => (error as { code?: number }).code === 404;

/** Lists everything the cluster checks read, in parallel, through the cluster package's client set (ADR 0156). */
export async function collectCluster(options: ClusterOptions = {}): Promise<ClusterFacts> {
  const { core, apps, autoscaling, discovery, custom } = kubeClients(options);
  const ns = options.namespace;
  const notServed: string[] = [];
  // Custom resources: a cluster without cert-manager or the Gateway API CRDs answers 404, which is not a failure.
  const listCustom = async (group: string, version: string, plural: string): Promise<CustomObject[]> => {
    try {
      const list = ns
        ? await custom.listNamespacedCustomObject({ group, version, plural, namespace: ns })
        : await custom.listClusterCustomObject({ group, version, plural });
      return (list as { items?: CustomObject[] }).items ?? [];
    } catch (error) {
      if (!isNotFound(error)) throw error;
      notServed.push(`${plural}.${group}/${version}`);
      return [];
    }
  };
  const [pods, events, deployments, pvcs, nodes, hpas, services, endpointSlices, certificates, gateways, httpRoutes] =
    await Promise.all([
      ns ? core.listNamespacedPod({ namespace: ns }) : core.listPodForAllNamespaces(),
      ns ? core.listNamespacedEvent({ namespace: ns }) : core.listEventForAllNamespaces(),
      ns ? apps.listNamespacedDeployment({ namespace: ns }) : apps.listDeploymentForAllNamespaces(),
      ns
        ? core.listNamespacedPersistentVolumeClaim({ namespace: ns })
        : core.listPersistentVolumeClaimForAllNamespaces(),
      core.listNode(),
      ns
        ? autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns })
        : autoscaling.listHorizontalPodAutoscalerForAllNamespaces(),
      ns ? core.listNamespacedService({ namespace: ns }) : core.listServiceForAllNamespaces(),
      ns ? discovery.listNamespacedEndpointSlice({ namespace: ns }) : discovery.listEndpointSliceForAllNamespaces(),
      listCustom('cert-manager.io', 'v1', 'certificates'),
      listCustom('gateway.networking.k8s.io', 'v1', 'gateways'),
      listCustom('gateway.networking.k8s.io', 'v1', 'httproutes'),
    ]);
  return {
    pods: pods.items,
    events: events.items,
    deployments: deployments.items,
    pvcs: pvcs.items,
    nodes: nodes.items,
    hpas: hpas.items,
    services: services.items,
    endpointSlices: endpointSlices.items,
    certificates,
    gateways,
    httpRoutes,
    notServed,
  };
}
