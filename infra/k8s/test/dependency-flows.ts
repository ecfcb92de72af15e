import { data, monitoringStack, namespaces, secretNames } from '@homelab/platform';
import { type K8sObject, objectId, podTemplateOf, workloads } from '../src/manifests.ts';
import { resolveTarget } from './config-guard.ts';
import type { Guard } from './cross-references.ts';
import { allowed, type Endpoint } from './network-reachability.ts';
import { externalPods, podsOf } from './pods.ts';
import { selectsByMap } from './selectors.ts';

/**
 * Connections derived from what makes them, not from the flow list the NetworkPolicies are generated from (which
 * made `realFlowsAllowed` circular: deleting a flow deleted its expectation too). A connection exists because:
 * - an HTTPRoute sends its Gateway's Envoy proxies to a backend Service;
 * - a PodMonitor has Prometheus scrape a port of the pods it selects;
 * - a pod mounts the database Secret, whose URL (written by the Pulumi program) names the postgres Service.
 * ConfigMap URLs are derived the same way by `configUrlsResolve`.
 */
export interface Connection {
  readonly why: string;
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly port: number;
  /** Default TCP. */
  readonly protocol?: 'TCP' | 'UDP';
}

export const pods = (namespace: string, labels: Record<string, string>): Endpoint => ({
  kind: 'pods',
  namespace,
  labels,
});

export const routeConnections = (objects: readonly K8sObject[]): (Connection | string)[] =>
  objects
    .filter((o) => o.kind === 'HTTPRoute')
    .flatMap((route) =>
      (route.spec.parentRefs ?? []).flatMap((parent: { name: string; namespace?: string }) => {
        const gatewayNs = parent.namespace ?? route.metadata.namespace ?? '';
        const proxy = objects.find((o) => o.kind === 'Gateway' && o.metadata.name === parent.name);
        if (!proxy) return [`${objectId(route)}: parent Gateway ${parent.name} missing`];
        return (route.spec.rules ?? []).flatMap(
          (rule: { backendRefs?: { name: string; port: number; weight?: number }[] }) =>
            (rule.backendRefs ?? []).map((b) => {
              const target = resolveTarget(objects, b.name, route.metadata.namespace ?? '', b.port);
              if (typeof target === 'string') return `${objectId(route)}: ${target}`;
              return {
                why: `${objectId(route)} -> ${b.name}:${b.port}`,
                from: pods(gatewayNs, proxyLabels(objects, parent.name)),
                to: target,
                port: target.podPort,
              };
            }),
        );
      }),
    );

// The proxy pod labels Envoy Gateway gives a Gateway's pods (platform `edge.proxyPodLabels`).
import { edge } from '@homelab/platform';

const proxyLabels = (_objects: readonly K8sObject[], gateway: string) => edge.proxyPodLabels(gateway);

export const monitorConnections = (objects: readonly K8sObject[]): (Connection | string)[] =>
  objects
    .filter((o) => o.kind === 'PodMonitor')
    .flatMap((monitor) => {
      const ns = monitor.metadata.namespace ?? '';
      // Workloads' pods and the pods add-ons run from these manifests (Envoy proxies): both get scraped.
      const selected = [...podsOf(objects), ...externalPods()].filter(
        (p) => p.namespace === ns && selectsByMap(monitor.spec.selector.matchLabels, p.labels),
      );
      if (!selected.length) return [`${objectId(monitor)}: selects no pods`];
      return selected.flatMap((p) =>
        (monitor.spec.podMetricsEndpoints ?? []).map((e: { port: string }) => {
          const port = p.containerPorts.find((c) => c.name === e.port);
          if (!port) return `${objectId(monitor)}: ${p.owner} declares no port ${e.port}`;
          return {
            why: `${objectId(monitor)} scrapes ${p.owner}:${e.port}`,
            from: pods(monitoringStack.namespace, monitoringStack.prometheusPodLabels),
            to: pods(ns, { ...p.labels }),
            port: port.containerPort,
          };
        }),
      );
    });

export const secretConnections = (objects: readonly K8sObject[]): (Connection | string)[] =>
  workloads(objects)
    .filter((w) =>
      (podTemplateOf(w)?.spec.volumes ?? []).some(
        (v: { secret?: { secretName: string } }) => v.secret?.secretName === secretNames.apiDatabase,
      ),
    )
    .map((w) => {
      // infra/pulumi's platform-secrets.ts writes postgres://...@postgres.<data ns>.svc...:<port>
      const target = resolveTarget(objects, 'postgres', namespaces.data, data.postgres.port);
      if (typeof target === 'string') return `${objectId(w)} (mounts ${secretNames.apiDatabase}): ${target}`;
      return {
        why: `${objectId(w)} mounts ${secretNames.apiDatabase}`,
        from: pods(w.metadata.namespace ?? '', podTemplateOf(w)?.metadata?.labels ?? {}),
        to: target,
        port: target.podPort,
      };
    });

/** Every connection the objects themselves imply is allowed by the NetworkPolicies. */
export const dependencyFlowsAllowed: Guard = (objects) => {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  return [...routeConnections(objects), ...monitorConnections(objects), ...secretConnections(objects)].flatMap((c) =>
    typeof c === 'string'
      ? [c]
      : allowed(policies, c.from, c.to, c.port)
        ? []
        : [`${c.why}: blocked on port ${c.port}`],
  );
};
