import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, edge, type versions } from '@homelab/platform';
import { parseAllDocuments } from 'yaml';

/** One Kubernetes object as C's cdk8s synthesis writes it. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** The add-ons, named as in versions.json `charts`. */
export type AddonName = keyof typeof versions.charts;

/**
 * Which add-on's Helm chart installs the CRDs of each API group. A custom resource is applied only after that
 * release is ready (operator and webhooks answering), never before: the first `pulumi up` has to work.
 */
export const crdOwners: Readonly<Record<string, AddonName>> = {
  'cert-manager.io': 'certManager',
  'acme.cert-manager.io': 'certManager',
  'gateway.networking.k8s.io': 'envoyGateway',
  // The experimental Gateway API kinds (XListenerSet...) of the bundle Envoy Gateway's chart installs.
  'gateway.networking.x-k8s.io': 'envoyGateway',
  'gateway.envoyproxy.io': 'envoyGateway',
  'monitoring.coreos.com': 'kubePrometheusStack',
};

/** API groups the API server serves itself. */
const builtInGroups = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'node.k8s.io',
]);

export const apiGroup = (apiVersion: string): string =>
  apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';

const describe = (object: KubeObject) =>
  `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;

/** Reads every `*.k8s.yaml` of a directory, in name order, skipping empty documents. */
export function loadManifests(directory: string): KubeObject[] {
  const files = readdirSync(directory)
    .filter((file) => file.endsWith('.k8s.yaml'))
    .sort();
  if (files.length === 0) {
    throw new Error(`no *.k8s.yaml in ${directory}: synthesize them with \`pnpm --filter @homelab/k8s synth\``);
  }
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(directory, file), 'utf8'))
      .map((document) => document.toJS() as KubeObject | null)
      .filter((object): object is KubeObject => object !== null && typeof object === 'object' && 'kind' in object),
  );
}

/** The apply order: namespaces, then built-in objects, then each add-on's custom resources. */
export interface ManifestStages {
  readonly namespaces: readonly KubeObject[];
  readonly builtIn: readonly KubeObject[];
  readonly custom: ReadonlyMap<AddonName, readonly KubeObject[]>;
}

/** Sorts objects into stages; an object of an API group nobody installs is an error that names it. */
export function stageManifests(objects: readonly KubeObject[]): ManifestStages {
  const namespaces: KubeObject[] = [];
  const builtIn: KubeObject[] = [];
  const custom = new Map<AddonName, KubeObject[]>();
  for (const object of objects) {
    const group = apiGroup(object.apiVersion);
    if (group === '' && object.kind === 'Namespace') namespaces.push(object);
    else if (builtInGroups.has(group)) builtIn.push(object);
    else {
      const owner = crdOwners[group];
      if (!owner) {
        throw new Error(
          `${describe(object)} is a ${object.apiVersion} custom resource, but no add-on installs that API group; add its chart to PlatformAddons and crdOwners`,
        );
      }
      custom.set(owner, [...(custom.get(owner) ?? []), object]);
    }
  }
  return { namespaces, builtIn, custom };
}

/** Every hostname the Gateway routes serve: what must resolve to this machine. */
export function routedHostnames(objects: readonly KubeObject[]): string[] {
  const hostnames = objects
    .filter((o) => apiGroup(o.apiVersion) === 'gateway.networking.k8s.io' && o.kind === 'HTTPRoute')
    .flatMap((o) => ((o.spec as { hostnames?: string[] } | undefined)?.hostnames ?? []) as string[]);
  return [...new Set(hostnames)].sort();
}

/** The Service in `namespace` that exposes `port` (headless or not): how the program addresses a workload by intent. */
export function serviceExposing(objects: readonly KubeObject[], namespace: string, port: number): KubeObject {
  const matches = objects.filter(
    (o) =>
      o.kind === 'Service' &&
      o.metadata.namespace === namespace &&
      ((o.spec as { ports?: { port: number }[] } | undefined)?.ports ?? []).some((p) => p.port === port),
  );
  const [service] = matches;
  if (!service || matches.length !== 1) {
    throw new Error(`expected one Service exposing port ${port} in ${namespace}, found ${matches.length}`);
  }
  return service;
}

/** A Secret the manifests read, with the keys they read from it (empty: mounted whole). */
export interface SecretReference {
  readonly namespace: string;
  readonly name: string;
  readonly keys: readonly string[];
}

/**
 * Secrets that pods (and monitors' scrape credentials) reference and that no Certificate (cert-manager) writes: the
 * ones the program must create.
 */
export function referencedSecrets(objects: readonly KubeObject[]): SecretReference[] {
  const issued = new Set(
    objects
      .filter((o) => apiGroup(o.apiVersion) === 'cert-manager.io' && o.kind === 'Certificate')
      .map((o) => `${o.metadata.namespace}/${(o.spec as { secretName: string }).secretName}`),
  );
  const found = new Map<string, Set<string>>();
  const visit = (namespace: string, value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(namespace, item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    // `secretKeyRef` in pods; a PodMonitor endpoint's `authorization.credentials` (the Secret Prometheus reads its
    // bearer token from, in the monitor's namespace: prometheus-operator's schema).
    const keyRef = (record.secretKeyRef ?? (record.type === 'Bearer' ? record.credentials : undefined)) as
      | { name?: string; key?: string }
      | undefined;
    if (keyRef?.name) {
      const keys = found.get(`${namespace}/${keyRef.name}`) ?? new Set();
      if (keyRef.key) keys.add(keyRef.key);
      found.set(`${namespace}/${keyRef.name}`, keys);
    }
    const volume = record.secret as { secretName?: string } | undefined;
    if (volume?.secretName && !found.has(`${namespace}/${volume.secretName}`)) {
      found.set(`${namespace}/${volume.secretName}`, new Set());
    }
    for (const child of Object.values(record)) visit(namespace, child);
  };
  for (const object of objects) {
    if (object.kind === 'Certificate' || object.kind === 'ClusterIssuer' || object.kind === 'Gateway') continue;
    if (object.metadata.namespace) visit(object.metadata.namespace, object.spec);
  }
  return [...found.entries()]
    .filter(([id]) => !issued.has(id))
    .map(([id, keys]) => {
      const [namespace, name] = id.split('/') as [string, string];
      return { namespace, name, keys: [...keys].sort() };
    })
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/**
 * kind has no LoadBalancer implementation, so the public EnvoyProxy's Service gets the fixed NodePorts that the
 * kind config maps host ports 80/443 to (through Envoy Gateway's own Service patch, so its controller keeps
 * owning the Service). Other objects pass through unchanged; more than one LoadBalancer is an error, since two
 * cannot share the host's ports.
 */
export function exposeGatewayOnKindNodePorts(objects: readonly KubeObject[]): KubeObject[] {
  type ProxySpec = {
    provider?: { kubernetes?: { envoyService?: { type?: string; [key: string]: unknown } } };
  };
  const isPublicProxy = (o: KubeObject) =>
    o.kind === 'EnvoyProxy' && (o.spec as ProxySpec)?.provider?.kubernetes?.envoyService?.type === 'LoadBalancer';
  const publicProxies = objects.filter(isPublicProxy);
  if (publicProxies.length !== 1) {
    throw new Error(`expected one EnvoyProxy with a LoadBalancer Service, found ${publicProxies.length}`);
  }
  const { http, https } = bootstrap.kindGatewayNodePorts;
  return objects.map((object) => {
    if (!isPublicProxy(object)) return object;
    const copy = structuredClone(object) as KubeObject & { spec: ProxySpec };
    const service = copy.spec.provider?.kubernetes?.envoyService;
    if (!service) return copy;
    service.patch = {
      type: 'StrategicMerge',
      value: {
        spec: {
          ports: [
            { port: edge.public.httpPort, nodePort: http },
            { port: edge.public.httpsPort, nodePort: https },
          ],
        },
      },
    };
    return copy;
  });
}

/** Namespaces Kubernetes itself creates: never ours to create or delete. */
const systemNamespaces = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * One Namespace object for each namespace an object lives in that no manifest creates (cert-manager's: the CA
 * Certificate sits beside the chart). The chart used to create it (`createNamespace`), so with add-ons reduced to
 * their CRDs, or a chart that failed, the Certificate had nowhere to go; the program owns it now, and `pulumi
 * destroy` removes it. No Pod Security labels: the cluster's default applies, as it did for the chart's own.
 */
export function unownedNamespaces(objects: readonly KubeObject[]): KubeObject[] {
  const created = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const used = [...new Set(objects.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : [])))].sort();
  return used
    .filter((name) => !created.has(name) && !systemNamespaces.has(name))
    .map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'pulumi', 'app.kubernetes.io/part-of': 'homelab' } },
    }));
}
