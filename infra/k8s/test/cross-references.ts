import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { project, secretNames } from '@homelab/platform';
import { type K8sObject, objectId, podTemplateOf, workloads } from '../src/manifests.ts';
import { allPods, namespaceLabels, type PodShape, podsOf } from './pods.ts';
import { selects, selectsByMap } from './selectors.ts';

/** A guard reads the whole output and returns its problems; an empty list means the guarantee holds. */
export type Guard = (objects: readonly K8sObject[]) => string[];

const inNamespace = (objects: readonly K8sObject[], kind: string, namespace: string | undefined) =>
  objects.filter((o) => o.kind === kind && o.metadata.namespace === namespace);

interface ContainerLike {
  name: string;
  ports?: { name?: string; containerPort: number }[];
  // biome-ignore lint/suspicious/noExplicitAny: containers are read as untyped JSON; each guard narrows a field.
  [probe: string]: any;
}
const containersOf = (o: K8sObject): ContainerLike[] => {
  const spec = podTemplateOf(o)?.spec ?? {};
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
};

const portDeclared = (ports: readonly { name?: string; containerPort: number }[], port: string | number) =>
  ports.some((p) => (typeof port === 'number' ? p.containerPort === port : p.name === port));

/** Every Service selects pods of some workload, and every Service port targets a port those pods declare. */
export const servicesSelectPods: Guard = (objects) => {
  const pods = podsOf(objects);
  return objects
    .filter((o) => o.kind === 'Service')
    .flatMap((svc) => {
      const selected = pods.filter(
        (p) => p.namespace === svc.metadata.namespace && selectsByMap(svc.spec?.selector, p.labels),
      );
      if (selected.length === 0) return [`${objectId(svc)}: selector matches no workload's pods`];
      return (svc.spec.ports ?? []).flatMap((port: { name?: string; port: number; targetPort?: string | number }) => {
        const target = port.targetPort ?? port.port;
        return selected.every((p) => portDeclared(p.containerPorts, target))
          ? []
          : [
              `${objectId(svc)}: port ${port.name ?? port.port} targets ${target}, not declared by ${selected[0]?.owner}`,
            ];
      });
    });
};

/** Every workload's selector matches its own pod template (the API rejects the rest, a cluster we do not have). */
export const workloadSelectorsMatchTemplates: Guard = (objects) =>
  workloads(objects)
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .flatMap((o) =>
      selects(o.spec.selector, podTemplateOf(o)?.metadata?.labels)
        ? []
        : [`${objectId(o)}: selector does not match its template`],
    );

/** Every probe that names a port names one its container declares. */
export const probesTargetDeclaredPorts: Guard = (objects) =>
  workloads(objects).flatMap((o) =>
    containersOf(o).flatMap((c) =>
      (['startupProbe', 'readinessProbe', 'livenessProbe'] as const).flatMap((kind) => {
        const probe = c[kind];
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
        if (port === undefined || portDeclared(c.ports ?? [], port)) return [];
        return [`${objectId(o)}: container ${c.name} ${kind} targets undeclared port ${port}`];
      }),
    ),
  );

/** Every HTTPRoute backend is a Service port, and every parentRef a Gateway listener that admits the route. */
export const routesResolve: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'HTTPRoute')
    .flatMap((route) => {
      const ns = route.metadata.namespace;
      const problems: string[] = [];
      for (const rule of route.spec.rules ?? []) {
        for (const ref of rule.backendRefs ?? []) {
          const svc = inNamespace(objects, 'Service', ref.namespace ?? ns).find((s) => s.metadata.name === ref.name);
          if (!svc) problems.push(`${objectId(route)}: backend ${ref.name} is not a Service`);
          else if (!(svc.spec.ports ?? []).some((p: { port: number }) => p.port === ref.port)) {
            problems.push(`${objectId(route)}: backend ${ref.name} has no port ${ref.port}`);
          }
        }
      }
      for (const parent of route.spec.parentRefs ?? []) {
        const gwNs = parent.namespace ?? ns;
        const gateway = inNamespace(objects, 'Gateway', gwNs).find((g) => g.metadata.name === parent.name);
        const listener = gateway?.spec.listeners.find((l: { name: string }) => l.name === parent.sectionName);
        if (!listener) {
          problems.push(`${objectId(route)}: parent ${gwNs}/${parent.name}#${parent.sectionName} is not a listener`);
          continue;
        }
        const allowed = listener.allowedRoutes?.namespaces ?? { from: 'Same' };
        const admits =
          allowed.from === 'All' ||
          (allowed.from === 'Same' && gwNs === ns) ||
          (allowed.from === 'Selector' && selects(allowed.selector, namespaceLabels(ns ?? 'default')));
        if (!admits) problems.push(`${objectId(route)}: listener ${parent.sectionName} does not admit namespace ${ns}`);
      }
      return problems;
    });

/** Every pod selector of every NetworkPolicy (its own and its peers') selects pods that exist. */
export const networkPolicyPeersSelectPods: Guard = (objects) => {
  const pods = allPods(objects);
  const exists = (ns: string | undefined, nsSelector: unknown, podSelector: unknown) =>
    pods.some(
      (p: PodShape) =>
        (nsSelector ? selects(nsSelector as never, namespaceLabels(p.namespace)) : p.namespace === ns) &&
        selects(podSelector as never, p.labels),
    );
  return objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .flatMap((np) => {
      const ns = np.metadata.namespace;
      const problems = exists(ns, undefined, np.spec.podSelector) ? [] : [`${objectId(np)}: selects no pod`];
      const peers = [
        ...(np.spec.ingress ?? []).flatMap((r: { from?: unknown[] }) => r.from ?? []),
        ...(np.spec.egress ?? []).flatMap((r: { to?: unknown[] }) => r.to ?? []),
      ] as { ipBlock?: unknown; namespaceSelector?: unknown; podSelector?: unknown }[];
      for (const peer of peers) {
        if (peer.ipBlock) continue;
        if (!exists(ns, peer.namespaceSelector, peer.podSelector))
          problems.push(`${objectId(np)}: a peer selects no pod`);
      }
      return problems;
    });
};

/** Every HPA targets a Deployment that exists, has no fixed replicas, and requests what it scales on (CPU always). */
export const hpaTargetsExist: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'HorizontalPodAutoscaler')
    .flatMap((hpa) => {
      const ref = hpa.spec.scaleTargetRef;
      const target = inNamespace(objects, ref.kind, hpa.metadata.namespace).find((o) => o.metadata.name === ref.name);
      if (!target) return [`${objectId(hpa)}: target ${ref.kind}/${ref.name} does not exist`];
      const problems = target.spec.replicas === undefined ? [] : [`${objectId(target)}: fixed replicas fight the HPA`];
      // Utilisation targets are a percentage of the request: a resource the HPA scales on must be requested.
      const scaledOn = (hpa.spec.metrics ?? [])
        .map((m: { resource?: { name: string } }) => m.resource?.name)
        .filter(Boolean);
      for (const resource of new Set(['cpu', ...scaledOn])) {
        for (const c of containersOf(target)) {
          if (!c.resources?.requests?.[resource]) {
            problems.push(`${objectId(target)}: container ${c.name} has no ${resource} request`);
          }
        }
      }
      return problems;
    });

/** Every PDB selects pods of a workload and permits at least one voluntary disruption. */
export const pdbsPermitDisruption: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'PodDisruptionBudget')
    .flatMap((pdb) => {
      const owners = workloads(objects).filter(
        (w) =>
          w.metadata.namespace === pdb.metadata.namespace &&
          selects(pdb.spec.selector, podTemplateOf(w)?.metadata?.labels),
      );
      if (owners.length === 0) return [`${objectId(pdb)}: selects no workload's pods`];
      const hpa = objects.find(
        (o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === owners[0]?.metadata.name,
      );
      const replicas = hpa?.spec.minReplicas ?? owners[0]?.spec.replicas ?? 1;
      const { maxUnavailable, minAvailable } = pdb.spec;
      const permits =
        maxUnavailable !== undefined
          ? Number(maxUnavailable) >= 1
          : minAvailable !== undefined && Number(minAvailable) < replicas;
      return permits ? [] : [`${objectId(pdb)}: permits no disruption at ${replicas} replicas`];
    });

/** Every Gateway listener's certificate Secret is the one a Certificate in its namespace writes. */
export const listenerCertificatesIssued: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'Gateway')
    .flatMap((gw) =>
      (gw.spec.listeners ?? []).flatMap((l: { name: string; tls?: { certificateRefs?: { name: string }[] } }) =>
        (l.tls?.certificateRefs ?? []).flatMap((ref) =>
          inNamespace(objects, 'Certificate', gw.metadata.namespace).some((c) => c.spec.secretName === ref.name)
            ? []
            : [`${objectId(gw)}: listener ${l.name} uses Secret ${ref.name}, which no Certificate writes`],
        ),
      ),
    );

/** Every object a pod references by name (ServiceAccount, ConfigMap, PVC) exists in its namespace. */
export const podReferencesResolve: Guard = (objects) =>
  workloads(objects).flatMap((o) => {
    const spec = podTemplateOf(o)?.spec ?? {};
    const ns = o.metadata.namespace;
    const has = (kind: string, name: string) => inNamespace(objects, kind, ns).some((x) => x.metadata.name === name);
    const problems: string[] = [];
    if (spec.serviceAccountName && !has('ServiceAccount', spec.serviceAccountName)) {
      problems.push(`${objectId(o)}: ServiceAccount ${spec.serviceAccountName} does not exist`);
    }
    for (const c of containersOf(o)) {
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef && !has('ConfigMap', from.configMapRef.name)) {
          problems.push(`${objectId(o)}: ConfigMap ${from.configMapRef.name} does not exist`);
        }
      }
    }
    for (const v of spec.volumes ?? []) {
      if (v.persistentVolumeClaim && !has('PersistentVolumeClaim', v.persistentVolumeClaim.claimName)) {
        problems.push(`${objectId(o)}: PVC ${v.persistentVolumeClaim.claimName} does not exist`);
      }
    }
    return problems;
  });

/** Every PodMonitor selects pods in its namespace that declare the port it scrapes. */
export const monitorsSelectPods: Guard = (objects) => {
  const pods = allPods(objects);
  return objects
    .filter((o) => o.kind === 'PodMonitor')
    .flatMap((m) => {
      const selected = pods.filter((p) => p.namespace === m.metadata.namespace && selects(m.spec.selector, p.labels));
      if (selected.length === 0) return [`${objectId(m)}: selects no workload's pods`];
      return (m.spec.podMetricsEndpoints ?? []).flatMap((e: { port: string }) =>
        selected.every((p) => portDeclared(p.containerPorts, e.port))
          ? []
          : [`${objectId(m)}: port ${e.port} is not declared by every selected pod`],
      );
    });
};

/**
 * The edge's chain of references: Gateway -> GatewayClass -> EnvoyProxy, Gateway infrastructure -> EnvoyProxy,
 * BackendTrafficPolicy -> HTTPRoute, Certificate -> ClusterIssuer, CA ClusterIssuer -> a Certificate's Secret.
 */
export const edgeReferencesResolve: Guard = (objects) => {
  const named = (kind: string, name: string, namespace?: string) =>
    objects.some(
      (o) =>
        o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
    );
  const problems: string[] = [];
  for (const o of objects) {
    const id = objectId(o);
    const ref =
      o.kind === 'GatewayClass'
        ? o.spec.parametersRef
        : o.kind === 'Gateway'
          ? o.spec.infrastructure?.parametersRef
          : undefined;
    if (ref && !named(ref.kind, ref.name, ref.namespace ?? o.metadata.namespace))
      problems.push(`${id}: ${ref.kind} ${ref.name} does not exist`);
    if (o.kind === 'Gateway' && !named('GatewayClass', o.spec.gatewayClassName)) {
      problems.push(`${id}: GatewayClass ${o.spec.gatewayClassName} does not exist`);
    }
    if (o.kind === 'BackendTrafficPolicy') {
      for (const t of o.spec.targetRefs ?? []) {
        if (!named(t.kind, t.name, o.metadata.namespace))
          problems.push(`${id}: target ${t.kind} ${t.name} does not exist`);
      }
    }
    if (o.kind === 'Certificate' && !named(o.spec.issuerRef.kind, o.spec.issuerRef.name)) {
      problems.push(`${id}: issuer ${o.spec.issuerRef.kind} ${o.spec.issuerRef.name} does not exist`);
    }
    if (
      o.kind === 'ClusterIssuer' &&
      o.spec.ca &&
      !objects.some((c) => c.kind === 'Certificate' && c.spec.isCA && c.spec.secretName === o.spec.ca.secretName)
    ) {
      problems.push(`${id}: CA Secret ${o.spec.ca.secretName} is written by no CA Certificate`);
    }
  }
  return problems;
};

/**
 * Every Secret a pod reads is one the Pulumi program creates (`secretNames` in @homelab/platform), so no pod waits
 * forever on a Secret nobody makes.
 */
export const secretReferencesKnown: Guard = (objects) => {
  const known = new Set<string>(Object.values(secretNames));
  return workloads(objects).flatMap((o) => {
    const spec = podTemplateOf(o)?.spec ?? {};
    const names = [
      ...(spec.volumes ?? []).flatMap((v: { secret?: { secretName: string } }) =>
        v.secret ? [v.secret.secretName] : [],
      ),
      ...containersOf(o).flatMap((c) => [
        ...(c.env ?? []).flatMap((e: { valueFrom?: { secretKeyRef?: { name: string } } }) =>
          e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.name] : [],
        ),
        ...(c.envFrom ?? []).flatMap((e: { secretRef?: { name: string } }) => (e.secretRef ? [e.secretRef.name] : [])),
      ]),
    ];
    return names.filter((n) => !known.has(n)).map((n) => `${objectId(o)}: Secret ${n} is not one the platform creates`);
  });
};

/** A ConfigMap holds at most 1 MiB; a dashboard ConfigMap holds one parseable dashboard named by its key. */
export const configMapsLoadable: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'ConfigMap')
    .flatMap((cm) => {
      const problems: string[] = [];
      const bytes = Buffer.byteLength(JSON.stringify(cm.data ?? {}));
      if (bytes > 1024 * 1024) problems.push(`${objectId(cm)}: ${bytes} bytes exceed the 1 MiB ConfigMap limit`);
      if (cm.metadata.labels?.grafana_dashboard === '1') {
        for (const [key, value] of Object.entries<string>(cm.data ?? {})) {
          try {
            const uid = (JSON.parse(value) as { uid?: string }).uid;
            if (`${uid}.json` !== key) problems.push(`${objectId(cm)}: ${key} holds dashboard uid ${uid}`);
          } catch {
            problems.push(`${objectId(cm)}: ${key} is not JSON`);
          }
        }
      }
      return problems;
    });

/** The repository root, where runbooks/ lives. */
export const repoRoot = new URL('../../../', import.meta.url).pathname;

/** Every alert's `runbook_url` points into this repository at a file that exists under runbooks/. */
export const runbooksExist: Guard = (objects) => {
  const prefix = `${project.repositoryUrl}/blob/main/`;
  return objects
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((rule) =>
      (rule.spec.groups ?? []).flatMap((g: { rules: { alert?: string; annotations?: Record<string, string> }[] }) =>
        g.rules
          .filter((r) => r.alert)
          .flatMap((r) => {
            const url = r.annotations?.runbook_url;
            if (!url) return [`${objectId(rule)}: alert ${r.alert} has no runbook_url`];
            if (!url.startsWith(prefix))
              return [`${objectId(rule)}: alert ${r.alert} runbook_url ${url} is outside the repo`];
            const path = url.slice(prefix.length);
            return path.startsWith('runbooks/') && existsSync(join(repoRoot, path))
              ? []
              : [`${objectId(rule)}: alert ${r.alert} runbook ${path} does not exist`];
          }),
      ),
    );
};

export const crossReferenceGuards: Record<string, Guard> = {
  servicesSelectPods,
  workloadSelectorsMatchTemplates,
  probesTargetDeclaredPorts,
  routesResolve,
  networkPolicyPeersSelectPods,
  hpaTargetsExist,
  pdbsPermitDisruption,
  listenerCertificatesIssued,
  podReferencesResolve,
  secretReferencesKnown,
  configMapsLoadable,
  monitorsSelectPods,
  edgeReferencesResolve,
  runbooksExist,
};
