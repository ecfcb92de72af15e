import { clusterServices, edge, monitoringStack } from '@homelab/platform';
import { type K8sObject, objectId, podTemplateOf, workloads } from '../src/manifests.ts';
import type { Guard } from './cross-references.ts';
import { allowed, type Endpoint } from './network-reachability.ts';
import { selectsByMap } from './selectors.ts';

const defaultPorts: Record<string, number> = { 'http:': 80, 'https:': 443, 'redis:': 6379, 'postgres:': 5432 };

/** Where a connection to `<name>.<namespace>.svc:<port>` lands: the pods and the port they listen on (also used by dependency-flows.ts). */
export const resolveTarget = (
  objects: readonly K8sObject[],
  name: string,
  ns: string,
  port: number,
): (Endpoint & { podPort: number }) | string => {
  const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === name && o.metadata.namespace === ns);
  if (service) {
    const sp = (service.spec.ports ?? []).find((p: { port: number }) => p.port === port);
    if (!sp) return `Service ${ns}/${name} has no port ${port}`;
    const owner = workloads(objects).find(
      (w) => w.metadata.namespace === ns && selectsByMap(service.spec.selector, podTemplateOf(w)?.metadata?.labels),
    );
    const template = owner && podTemplateOf(owner);
    if (!template) return `Service ${ns}/${name} selects no pods`;
    const target = sp.targetPort ?? sp.port;
    const containerPort = template.spec.containers
      .flatMap((c: { ports?: { name?: string; containerPort: number }[] }) => c.ports ?? [])
      .find((p: { name?: string; containerPort: number }) =>
        typeof target === 'number' ? p.containerPort === target : p.name === target,
      );
    if (!containerPort) return `Service ${ns}/${name} targets an undeclared port`;
    return {
      kind: 'pods',
      namespace: ns,
      labels: template.metadata?.labels ?? {},
      podPort: containerPort.containerPort,
    };
  }
  // The Prometheus Service that kube-prometheus-stack creates (an add-on, so not in dist/).
  const prometheus = monitoringStack.prometheusService;
  if (name === prometheus.name && ns === monitoringStack.namespace) {
    if (port !== prometheus.port) return `Service ${ns}/${name} has no port ${port}`;
    return { kind: 'pods', namespace: ns, labels: monitoringStack.prometheusPodLabels, podPort: prometheus.port };
  }
  // A Service Envoy Gateway creates, named by an EnvoyProxy, for a Gateway that uses that EnvoyProxy.
  const proxy = objects.find(
    (o) =>
      o.kind === 'EnvoyProxy' &&
      o.metadata.namespace === ns &&
      o.spec.provider?.kubernetes?.envoyService?.name === name,
  );
  if (!proxy) return `no Service or EnvoyProxy Service ${ns}/${name}`;
  const gateway = objects.find(
    (o) =>
      o.kind === 'Gateway' &&
      o.metadata.namespace === ns &&
      o.spec.infrastructure?.parametersRef?.name === proxy.metadata.name,
  );
  if (!gateway) return `no Gateway uses EnvoyProxy ${proxy.metadata.name}`;
  if (!gateway.spec.listeners.some((l: { port: number }) => l.port === port))
    return `Gateway ${gateway.metadata.name} has no listener on ${port}`;
  return {
    kind: 'pods',
    namespace: ns,
    labels: edge.proxyPodLabels(gateway.metadata.name),
    podPort: port < 1024 ? port + edge.proxyPortOffset : port,
  };
};

/**
 * Every in-cluster URL in an app's ConfigMap resolves to a Service port (or a Gateway's Envoy Service), and the
 * NetworkPolicies let the pods that read the ConfigMap open that connection.
 */
export const configUrlsResolve: Guard = (objects) => {
  const suffix = `.svc.${clusterServices.clusterDomain}`;
  const problems: string[] = [];
  for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
    const readers = workloads(objects).filter(
      (w) =>
        w.metadata.namespace === cm.metadata.namespace &&
        podTemplateOf(w)?.spec.containers.some((c: { envFrom?: { configMapRef?: { name: string } }[] }) =>
          (c.envFrom ?? []).some((e) => e.configMapRef?.name === cm.metadata.name),
        ),
    );
    for (const [key, value] of Object.entries<string>(cm.data ?? {})) {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        continue;
      }
      if (!url.hostname.endsWith(suffix)) continue;
      const [name = '', ns = ''] = url.hostname.slice(0, -suffix.length).split('.');
      const port = url.port ? Number(url.port) : (defaultPorts[url.protocol] ?? 0);
      const target = resolveTarget(objects, name, ns, port);
      if (typeof target === 'string') {
        problems.push(`${objectId(cm)}: ${key}: ${target}`);
        continue;
      }
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      for (const reader of readers) {
        const from: Endpoint = {
          kind: 'pods',
          namespace: reader.metadata.namespace ?? '',
          labels: podTemplateOf(reader)?.metadata?.labels ?? {},
        };
        if (!allowed(policies, from, target, target.podPort)) {
          problems.push(`${objectId(cm)}: ${key}: ${objectId(reader)} may not connect to ${url.host}`);
        }
      }
    }
  }
  return problems;
};
