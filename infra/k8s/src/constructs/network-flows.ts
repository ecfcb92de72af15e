import { apps, clusterServices, data, dataWorkloads, edge, monitoringStack, namespaces } from '@homelab/platform';
import { componentLabels } from './labels.ts';

/** Pods in one namespace selected by labels (`{}` selects every pod of the namespace). */
export interface PodPeer {
  readonly kind: 'pods';
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Addresses outside the cluster's pods: clients on the internet, the API server. */
export interface AddressPeer {
  readonly kind: 'addresses';
  readonly name: string;
  readonly cidr: string;
}

export type Peer = PodPeer | AddressPeer;

export interface PortSpec {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

/** One connection the platform really makes. NetworkPolicies are generated from these and nothing else. */
export interface Flow {
  readonly id: string;
  readonly from: Peer;
  readonly to: Peer;
  readonly ports: readonly PortSpec[];
  readonly why: string;
}

const pods = (namespace: string, name: string, labels: Record<string, string>): PodPeer => ({
  kind: 'pods',
  name,
  namespace,
  labels,
});
const tcp = (...ports: number[]): PortSpec[] => ports.map((port) => ({ port, protocol: 'TCP' }));
/** Envoy listens on port + 10000 for privileged listener ports; policies see the pod's port. */
const envoyPort = (listenerPort: number): number =>
  listenerPort < 1024 ? listenerPort + edge.proxyPortOffset : listenerPort;

export const appPods = (name: keyof typeof apps): PodPeer => pods(namespaces.apps, name, componentLabels(name));
export const publicProxyPods = pods(namespaces.edge, 'public-proxy', edge.proxyPodLabels(edge.public.name));
export const internalProxyPods = pods(namespaces.edge, 'internal-proxy', edge.proxyPodLabels(edge.internal.name));
export const edgeControllerPods = pods(namespaces.edge, 'envoy-gateway', edge.controllerPodLabels);
export const edgeCertgenPods = pods(namespaces.edge, 'envoy-gateway-certgen', edge.certgenPodLabels);
export const postgresPods = pods(namespaces.data, 'postgres', componentLabels('postgres'));
export const redisPods = pods(namespaces.data, 'redis', componentLabels('redis'));
export const migrationPods = pods(namespaces.apps, 'api-migration', componentLabels('api-migration'));
export const backupPods = pods(namespaces.data, 'postgres-backup', componentLabels('postgres-backup'));
export const restorePods = pods(namespaces.data, 'postgres-restore', componentLabels('postgres-restore'));
export const prometheusPods = pods(monitoringStack.namespace, 'prometheus', monitoringStack.prometheusPodLabels);
export const dnsPods = pods(clusterServices.dnsNamespace, 'cluster-dns', clusterServices.dnsPodLabels);
export const internet: AddressPeer = { kind: 'addresses', name: 'internet', cidr: '0.0.0.0/0' };
/** The API server's address is node-specific; the port is what narrows this rule. */
export const apiServer: AddressPeer = { kind: 'addresses', name: 'kube-apiserver', cidr: '0.0.0.0/0' };

/** The namespaces whose pods this project defines: each gets default deny plus the flows below. */
export const policedNamespaces = [namespaces.apps, namespaces.data, namespaces.edge] as const;

/** Every flow of the platform (issue 4: edge -> web/gateway, gateway -> api, api -> data, DNS, scraping). */
export const platformFlows = (): Flow[] => [
  ...policedNamespaces.map(
    (ns): Flow => ({
      id: `dns-${ns}`,
      from: pods(ns, `all-${ns}`, {}),
      to: dnsPods,
      ports: [
        { port: clusterServices.dnsPort, protocol: 'UDP' },
        { port: clusterServices.dnsPort, protocol: 'TCP' },
      ],
      why: 'every pod resolves Service names',
    }),
  ),
  {
    id: 'internet-to-public-proxy',
    from: internet,
    to: publicProxyPods,
    ports: tcp(envoyPort(edge.public.httpPort), envoyPort(edge.public.httpsPort)),
    why: 'the public Gateway is the cluster entry',
  },
  {
    id: 'public-proxy-to-web',
    from: publicProxyPods,
    to: appPods('web'),
    ports: tcp(apps.web.port),
    why: 'HTTPRoute web',
  },
  {
    id: 'public-proxy-to-gateway',
    from: publicProxyPods,
    to: appPods('gateway'),
    ports: tcp(apps.gateway.port),
    why: 'HTTPRoute gateway',
  },
  {
    id: 'gateway-to-internal-proxy',
    from: appPods('gateway'),
    to: internalProxyPods,
    ports: tcp(envoyPort(edge.internal.httpPort)),
    why: 'the gateway calls the API through the internal Gateway (weighted canary)',
  },
  {
    id: 'internal-proxy-to-api',
    from: internalProxyPods,
    to: appPods('api'),
    ports: tcp(apps.api.port),
    why: 'HTTPRoute api',
  },
  {
    id: 'proxies-to-xds',
    from: pods(namespaces.edge, 'all-proxies', edge.proxyCommonLabels),
    to: edgeControllerPods,
    ports: tcp(edge.xdsPort),
    why: 'Envoy proxies fetch their configuration from Envoy Gateway',
  },
  {
    id: 'edge-controller-to-apiserver',
    from: edgeControllerPods,
    to: apiServer,
    ports: tcp(...clusterServices.apiServerPorts),
    why: 'Envoy Gateway watches Gateway API objects',
  },
  {
    id: 'edge-certgen-to-apiserver',
    from: edgeCertgenPods,
    to: apiServer,
    ports: tcp(...clusterServices.apiServerPorts),
    why: "the chart's certgen Job writes Envoy Gateway's certificates as Secrets (a Helm hook, before the controller)",
  },
  { id: 'api-to-postgres', from: appPods('api'), to: postgresPods, ports: tcp(data.postgres.port), why: 'notes' },
  { id: 'api-to-redis', from: appPods('api'), to: redisPods, ports: tcp(data.redis.port), why: 'read cache' },
  {
    id: 'gateway-to-redis',
    from: appPods('gateway'),
    to: redisPods,
    ports: tcp(data.redis.port),
    why: 'rate-limit token buckets',
  },
  {
    id: 'web-to-gateway',
    from: appPods('web'),
    to: appPods('gateway'),
    ports: tcp(apps.gateway.port),
    why: 'server-rendered pages call the notes API through the gateway',
  },
  {
    id: 'web-to-prometheus',
    from: appPods('web'),
    to: prometheusPods,
    ports: tcp(monitoringStack.prometheusService.port),
    why: 'the status page reads SLO ratios from Prometheus',
  },
  {
    id: 'migration-to-postgres',
    from: migrationPods,
    to: postgresPods,
    ports: tcp(data.postgres.port),
    why: 'schema migration',
  },
  {
    id: 'backup-to-postgres',
    from: backupPods,
    to: postgresPods,
    ports: tcp(data.postgres.port),
    why: 'nightly pg_dump',
  },
  {
    id: 'restore-to-postgres',
    from: restorePods,
    to: postgresPods,
    ports: tcp(data.postgres.port),
    why: 'restore',
  },
  ...(['web', 'gateway', 'api'] as const).map(
    (name): Flow => ({
      id: `prometheus-to-${name}`,
      from: prometheusPods,
      to: appPods(name),
      ports: tcp(apps[name].port),
      why: 'metrics scrape',
    }),
  ),
  {
    id: 'prometheus-to-envoy',
    from: prometheusPods,
    to: pods(namespaces.edge, 'all-proxies', edge.proxyCommonLabels),
    ports: tcp(edge.proxyMetrics.port),
    why: 'Envoy upstream metrics for the edge alerts',
  },
  {
    id: 'prometheus-to-postgres-exporter',
    from: prometheusPods,
    to: postgresPods,
    ports: tcp(dataWorkloads.postgres.exporterPort),
    why: 'metrics scrape',
  },
  {
    id: 'prometheus-to-redis-exporter',
    from: prometheusPods,
    to: redisPods,
    ports: tcp(dataWorkloads.redis.exporterPort),
    why: 'metrics scrape',
  },
];
