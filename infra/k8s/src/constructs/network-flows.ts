import { clusterServices, edge, monitoringStack, namespaces } from '@homelab/platform';
import {
  allProxyPods,
  apiServer,
  dnsPods,
  edgeCertgenPods,
  edgeControllerPods,
  internalProxyPods,
  internet,
  type Peer,
  type PodPeer,
  podPeer,
  prometheusPods,
  publicProxyPods,
} from './peers.ts';

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

/** Something that runs pods: its peer, and the port clients reach it on when it serves. */
interface Endpoint {
  readonly pods: PodPeer;
  readonly port: number;
}

/** A data store: its client port and its exporter's metrics port. */
interface StoreEndpoint extends Endpoint {
  readonly exporterPort: number;
}

/** The constructs the flows connect; each flow takes its peers and ports from them. */
export interface FlowEnds {
  readonly web: Endpoint;
  /** `stablePods`: the web app calls the gateway's stable Service, never its canary (no weights on that path). */
  readonly gateway: Endpoint & { readonly stablePods: PodPeer };
  readonly api: Endpoint;
  readonly postgres: StoreEndpoint;
  readonly redis: StoreEndpoint;
  readonly migration: { readonly pods: PodPeer };
  readonly backup: { readonly pods: PodPeer };
  readonly restore: { readonly pods: PodPeer };
}

const tcp = (...ports: number[]): PortSpec[] => ports.map((port) => ({ port, protocol: 'TCP' }));
/** Envoy listens on port + 10000 for privileged listener ports; policies see the pod's port. */
const envoyPort = (listenerPort: number): number =>
  listenerPort < 1024 ? listenerPort + edge.proxyPortOffset : listenerPort;

/** The namespaces whose pods this project defines: each gets default deny plus the flows below. */
export const policedNamespaces = [namespaces.apps, namespaces.data, namespaces.edge] as const;

/**
 * Every flow of the platform: the internet to the public Gateway, the edge to web and gateway, gateway to api
 * through the internal Gateway, api and gateway to the data stores, jobs to PostgreSQL, DNS, and scraping.
 */
export const platformFlows = ({ web, gateway, api, postgres, redis, migration, backup, restore }: FlowEnds): Flow[] => [
  // DNS only for the pods that connect to something by name: every pod of the apps namespace and of the edge
  // (Envoy's xDS address is a name), and in the data namespace the jobs (PGHOST), not PostgreSQL and Redis,
  // which connect nowhere.
  ...[
    podPeer(namespaces.apps, `all-${namespaces.apps}`, {}),
    podPeer(namespaces.edge, `all-${namespaces.edge}`, {}),
    backup.pods,
    restore.pods,
  ].map(
    (from): Flow => ({
      id: `dns-${from.name.replace(/^all-/, '')}`,
      from,
      to: dnsPods,
      ports: [
        { port: clusterServices.dnsPort, protocol: 'UDP' },
        { port: clusterServices.dnsPort, protocol: 'TCP' },
      ],
      why: 'resolves Service names',
    }),
  ),
  {
    id: 'internet-to-public-proxy',
    from: internet,
    to: publicProxyPods,
    ports: tcp(envoyPort(edge.public.httpPort), envoyPort(edge.public.httpsPort)),
    why: 'the public Gateway is the cluster entry',
  },
  { id: 'public-proxy-to-web', from: publicProxyPods, to: web.pods, ports: tcp(web.port), why: 'HTTPRoute web' },
  {
    id: 'public-proxy-to-gateway',
    from: publicProxyPods,
    to: gateway.pods,
    ports: tcp(gateway.port),
    why: 'HTTPRoute gateway',
  },
  {
    id: 'gateway-to-internal-proxy',
    from: gateway.pods,
    to: internalProxyPods,
    ports: tcp(envoyPort(edge.internal.httpPort)),
    why: 'the gateway calls the API through the internal Gateway (weighted canary)',
  },
  { id: 'internal-proxy-to-api', from: internalProxyPods, to: api.pods, ports: tcp(api.port), why: 'HTTPRoute api' },
  {
    id: 'proxies-to-xds',
    from: allProxyPods,
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
  { id: 'api-to-postgres', from: api.pods, to: postgres.pods, ports: tcp(postgres.port), why: 'notes' },
  { id: 'api-to-redis', from: api.pods, to: redis.pods, ports: tcp(redis.port), why: 'read cache' },
  {
    id: 'gateway-to-redis',
    from: gateway.pods,
    to: redis.pods,
    ports: tcp(redis.port),
    why: 'rate-limit token buckets',
  },
  {
    id: 'web-to-redis',
    from: web.pods,
    to: redis.pods,
    ports: tcp(redis.port),
    why: 'sign-out revocations shared by every web replica (ADR 0121)',
  },
  {
    id: 'web-to-gateway',
    from: web.pods,
    to: gateway.stablePods,
    ports: tcp(gateway.port),
    why: "server-rendered pages call the notes API through the gateway's stable Service",
  },
  {
    id: 'web-to-prometheus',
    from: web.pods,
    to: prometheusPods,
    ports: tcp(monitoringStack.prometheusService.port),
    why: 'the status page reads SLO ratios from Prometheus',
  },
  {
    id: 'migration-to-postgres',
    from: migration.pods,
    to: postgres.pods,
    ports: tcp(postgres.port),
    why: 'schema migration',
  },
  { id: 'backup-to-postgres', from: backup.pods, to: postgres.pods, ports: tcp(postgres.port), why: 'nightly pg_dump' },
  { id: 'restore-to-postgres', from: restore.pods, to: postgres.pods, ports: tcp(postgres.port), why: 'restore' },
  ...Object.entries({ web, gateway, api }).map(
    ([name, app]): Flow => ({
      id: `prometheus-to-${name}`,
      from: prometheusPods,
      to: app.pods,
      ports: tcp(app.port),
      why: 'metrics scrape',
    }),
  ),
  {
    id: 'prometheus-to-envoy',
    from: prometheusPods,
    to: allProxyPods,
    ports: tcp(edge.proxyMetrics.port),
    why: 'Envoy upstream metrics for the edge alerts',
  },
  {
    id: 'prometheus-to-postgres-exporter',
    from: prometheusPods,
    to: postgres.pods,
    ports: tcp(postgres.exporterPort),
    why: 'metrics scrape',
  },
  {
    id: 'prometheus-to-redis-exporter',
    from: prometheusPods,
    to: redis.pods,
    ports: tcp(redis.exporterPort),
    why: 'metrics scrape',
  },
];
