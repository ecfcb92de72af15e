import { clusterServices, edge } from '@homelab/platform';
import {
  dnsPods,
  edgeCertgenPods,
  edgeControllerPods,
  internalProxyPods,
  type PodPeer,
  prometheusPods,
  publicProxyPods,
} from '../src/constructs/peers.ts';
import { type K8sObject, podTemplateOf } from '../src/manifests.ts';

/** A pod as the guards see it: where it runs, its labels, its containers' ports. */
export interface PodShape {
  readonly owner: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly containerPorts: readonly { name?: string; containerPort: number; protocol?: string }[];
}

/** The pods every workload in the manifests would run. */
export const podsOf = (objects: readonly K8sObject[]): PodShape[] =>
  objects.flatMap((o) => {
    const template = podTemplateOf(o);
    if (!template) return [];
    return [
      {
        owner: `${o.kind}/${o.metadata.name}`,
        namespace: o.metadata.namespace ?? 'default',
        labels: template.metadata?.labels ?? {},
        containerPorts: (template.spec?.containers ?? []).flatMap(
          (c: { ports?: PodShape['containerPorts'] }) => c.ports ?? [],
        ),
      },
    ];
  });

const external = (peer: PodPeer, ports: PodShape['containerPorts']): PodShape => ({
  owner: `external/${peer.name}`,
  namespace: peer.namespace,
  labels: peer.labels,
  containerPorts: ports,
});

/**
 * Pods other software creates from these manifests or runs beside them: Envoy's proxies (from the Gateways),
 * Envoy Gateway's controller, Prometheus and cluster DNS. Policies may select them although no workload here does.
 */
export const externalPods = (): PodShape[] => {
  const port = (p: number) => ({ containerPort: p < 1024 ? p + edge.proxyPortOffset : p });
  const metrics = { name: edge.proxyMetrics.portName, containerPort: edge.proxyMetrics.port };
  return [
    external(publicProxyPods, [port(edge.public.httpPort), port(edge.public.httpsPort), metrics]),
    external(internalProxyPods, [port(edge.internal.httpPort), metrics]),
    external(edgeControllerPods, [port(edge.xdsPort)]),
    external(edgeCertgenPods, []),
    external(prometheusPods, []),
    external(dnsPods, [port(clusterServices.dnsPort)]),
  ];
};

export const allPods = (objects: readonly K8sObject[]): PodShape[] => [...podsOf(objects), ...externalPods()];

export const namespaceLabels = (namespace: string): Record<string, string> => ({
  'kubernetes.io/metadata.name': namespace,
});
