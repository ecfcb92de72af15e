import { clusterServices, edge } from '@homelab/platform';
import { policedNamespaces } from '../src/constructs/network-flows.ts';
import {
  apiServer,
  dnsPods,
  edgeCertgenPods,
  edgeControllerPods,
  internet,
  type PodPeer,
} from '../src/constructs/peers.ts';
import { type K8sObject, objectId, podTemplateOf, workloads } from '../src/manifests.ts';
import { resolveTarget } from './config-guard.ts';
import type { Guard } from './cross-references.ts';
import { type Connection, monitorConnections, pods, routeConnections, secretConnections } from './dependency-flows.ts';
import { allowed, type Endpoint } from './network-reachability.ts';
import { allPods } from './pods.ts';
import { selectsByMap } from './selectors.ts';

/**
 * Least privilege as an equality: the connections the NetworkPolicies allow are exactly the connections something
 * needs, derived from what makes them (never from the flow list the policies are generated from):
 * - HTTPRoutes (a Gateway's proxies -> backend pods), PodMonitors (Prometheus -> scraped port), the mounted
 *   database Secret (-> PostgreSQL) (dependency-flows.ts);
 * - in-cluster URLs in the ConfigMaps a pod reads (web -> gateway, gateway -> internal Gateway -> ..., -> Redis);
 * - `*HOST`/`*PORT` settings naming a Service (the backup and restore Jobs' PGHOST);
 * - the public Gateway's listeners, reachable from the internet when its Service is not ClusterIP: with the routes
 *   and the gateway's API_URL this composes the multi-hop path internet -> public proxy -> gateway -> internal
 *   proxy -> api;
 * - Envoy Gateway itself (proxies fetch xDS; controller and certgen call the API server; all resolve names);
 * - DNS, for exactly the pods that connect to something by name.
 * Anything allowed beyond these, on a port the destination listens on, is a finding; so is anything needed and
 * blocked. Only pairs with an end in a policed namespace are compared (elsewhere no policy of ours applies).
 */

type Proto = 'TCP' | 'UDP';
interface Probe {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly port: number;
  readonly protocol: Proto;
}

const describe = (e: Endpoint) =>
  e.kind === 'pods'
    ? `${e.namespace}/${Object.entries(e.labels)
        .map(([k, v]) => `${k.replace(/^.*\//, '')}=${v}`)
        .join(',')}`
    : e.cidr;
const key = (p: Probe) => `${describe(p.from)} -> ${describe(p.to)}:${p.port}/${p.protocol}`;
const endpointOfPeer = (peer: PodPeer): Endpoint => pods(peer.namespace, { ...peer.labels });

const defaultPorts: Record<string, number> = { 'http:': 80, 'https:': 443, 'redis:': 6379, 'postgres:': 5432 };

/** A workload's pods as an endpoint. */
const podsOfWorkload = (w: K8sObject): Endpoint =>
  pods(w.metadata.namespace ?? '', podTemplateOf(w)?.metadata?.labels ?? {});

/** In-cluster URLs in a ConfigMap a workload reads with envFrom: the workload connects to what they name. */
const configUrlConnections = (objects: readonly K8sObject[]): (Connection | string)[] => {
  const suffix = `.svc.${clusterServices.clusterDomain}`;
  return workloads(objects).flatMap((w) => {
    const ns = w.metadata.namespace ?? '';
    const names: string[] = (podTemplateOf(w)?.spec.containers ?? []).flatMap(
      (c: { envFrom?: { configMapRef?: { name: string } }[] }) =>
        (c.envFrom ?? []).flatMap((e) => (e.configMapRef ? [e.configMapRef.name] : [])),
    );
    return names.flatMap((name) => {
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === ns && o.metadata.name === name);
      return Object.entries<string>(cm?.data ?? {}).flatMap(([k, value]): (Connection | string)[] => {
        let url: URL;
        try {
          url = new URL(value);
        } catch {
          return [];
        }
        if (!url.hostname.endsWith(suffix)) return [];
        const [svc = '', svcNs = ''] = url.hostname.slice(0, -suffix.length).split('.');
        const port = url.port ? Number(url.port) : (defaultPorts[url.protocol] ?? 0);
        const target = resolveTarget(objects, svc, svcNs, port);
        if (typeof target === 'string') return [`${objectId(cm ?? w)}: ${k}: ${target}`];
        return [{ why: `${objectId(w)} reads ${k}`, from: podsOfWorkload(w), to: target, port: target.podPort }];
      });
    });
  });
};

/** `<X>HOST` naming a Service of the pod's namespace, with `<X>PORT` beside it (libpq's PGHOST/PGPORT). */
const hostSettingConnections = (objects: readonly K8sObject[]): (Connection | string)[] =>
  workloads(objects).flatMap((w) =>
    (podTemplateOf(w)?.spec.containers ?? []).flatMap((c: { env?: { name: string; value?: string }[] }) => {
      const env = new Map((c.env ?? []).map((e) => [e.name, e.value]));
      return [...env].flatMap(([name, host]): (Connection | string)[] => {
        if (!name.endsWith('HOST') || !host || /^[0-9.]+$/.test(host) || host === 'localhost') return [];
        const port = Number(env.get(`${name.slice(0, -4)}PORT`));
        if (!port) return [];
        const target = resolveTarget(objects, host, w.metadata.namespace ?? '', port);
        if (typeof target === 'string') return [`${objectId(w)}: ${name}=${host}: ${target}`];
        return [{ why: `${objectId(w)} ${name}=${host}`, from: podsOfWorkload(w), to: target, port: target.podPort }];
      });
    }),
  );

const envoyPort = (p: number) => (p < 1024 ? p + edge.proxyPortOffset : p);

/** The internet reaches the listeners of every Gateway whose Envoy Service is exposed (LoadBalancer/NodePort). */
const entryConnections = (objects: readonly K8sObject[]): Connection[] =>
  objects
    .filter((o) => o.kind === 'Gateway')
    .flatMap((gw) => {
      const proxy = objects.find(
        (p) =>
          p.kind === 'EnvoyProxy' &&
          p.metadata.namespace === gw.metadata.namespace &&
          p.metadata.name === gw.spec.infrastructure?.parametersRef?.name,
      );
      const type = proxy?.spec.provider?.kubernetes?.envoyService?.type ?? 'LoadBalancer';
      if (type === 'ClusterIP') return [];
      return (gw.spec.listeners ?? []).map(
        (l: { name: string; port: number }): Connection => ({
          why: `Gateway ${gw.metadata.name} listener ${l.name} (${type})`,
          from: { kind: 'addresses', cidr: internet.cidr },
          to: pods(gw.metadata.namespace ?? '', { ...edge.proxyPodLabels(gw.metadata.name) }),
          port: envoyPort(l.port),
        }),
      );
    });

/** Envoy Gateway's own connections (facts of the add-on, `peers.ts`), present when any Gateway is. */
const addOnConnections = (objects: readonly K8sObject[]): Connection[] => {
  const gateways = objects.filter((o) => o.kind === 'Gateway');
  if (gateways.length === 0) return [];
  const apiServerAddress: Endpoint = { kind: 'addresses', cidr: apiServer.cidr };
  return [
    ...gateways.map(
      (gw): Connection => ({
        why: `Gateway ${gw.metadata.name}'s proxies fetch xDS`,
        from: pods(gw.metadata.namespace ?? '', { ...edge.proxyPodLabels(gw.metadata.name) }),
        to: endpointOfPeer(edgeControllerPods),
        port: edge.xdsPort,
      }),
    ),
    ...[edgeControllerPods, edgeCertgenPods].flatMap((peer) =>
      clusterServices.apiServerPorts.map(
        (port): Connection => ({
          why: `${peer.name} calls the API server`,
          from: endpointOfPeer(peer),
          to: apiServerAddress,
          port,
        }),
      ),
    ),
    // client-go and Envoy resolve Service names (the proxies' xDS address is a name).
    ...[edgeControllerPods, edgeCertgenPods].map(
      (peer): Connection => ({
        why: `${peer.name} resolves names`,
        from: endpointOfPeer(peer),
        to: endpointOfPeer(dnsPods),
        port: 0,
      }),
    ),
  ];
};

/** Every connection something needs, DNS included for each pod that connects to anything by name. */
export const neededConnections = (objects: readonly K8sObject[]): { needed: Probe[]; problems: string[] } => {
  const problems: string[] = [];
  const connections: Connection[] = [];
  for (const c of [
    ...routeConnections(objects),
    ...monitorConnections(objects),
    ...secretConnections(objects),
    ...configUrlConnections(objects),
    ...hostSettingConnections(objects),
    ...entryConnections(objects),
    ...addOnConnections(objects),
  ]) {
    if (typeof c === 'string') problems.push(c);
    else connections.push(c);
  }
  const needed: Probe[] = [];
  const dnsFrom = new Map<string, Endpoint>();
  for (const c of connections) {
    if (c.to.kind === 'pods' && describe(c.to) === describe(endpointOfPeer(dnsPods))) {
      dnsFrom.set(describe(c.from), c.from);
      continue;
    }
    needed.push({ from: c.from, to: c.to, port: c.port, protocol: c.protocol ?? 'TCP' });
    // A connection to pods goes through a Service name; the API server is dialled by address.
    if (c.from.kind === 'pods' && c.to.kind === 'pods') dnsFrom.set(describe(c.from), c.from);
  }
  for (const from of dnsFrom.values())
    for (const protocol of ['UDP', 'TCP'] as const)
      needed.push({ from, to: endpointOfPeer(dnsPods), port: clusterServices.dnsPort, protocol });
  return { needed, problems };
};

/** Every (from, to, port) worth asking the policies about: each pod's declared ports, DNS, and the addresses. */
const candidates = (objects: readonly K8sObject[], needed: readonly Probe[]): Probe[] => {
  const podShapes = allPods(objects);
  const endpoints: Endpoint[] = [
    ...podShapes.map((p) => pods(p.namespace, { ...p.labels })),
    { kind: 'addresses', cidr: internet.cidr },
  ];
  const policed = new Set<string>(policedNamespaces);
  const inScope = (e: Endpoint) => e.kind === 'pods' && policed.has(e.namespace);
  const addressPorts = new Set<number>([
    ...clusterServices.apiServerPorts,
    443,
    80,
    ...objects
      .filter((o) => o.kind === 'NetworkPolicy')
      .flatMap((np) =>
        (np.spec.egress ?? []).flatMap((r: { to?: { ipBlock?: unknown }[]; ports?: { port?: number }[] }) =>
          (r.to ?? []).some((t) => t.ipBlock) ? (r.ports ?? []).flatMap((p) => (p.port ? [p.port] : [])) : [],
        ),
      ),
  ]);
  const dnsKey = describe(endpointOfPeer(dnsPods));
  const portsOf = (to: Endpoint): { port: number; protocol: Proto }[] => {
    if (to.kind === 'addresses') return [...addressPorts].map((port) => ({ port, protocol: 'TCP' }));
    if (describe(to) === dnsKey)
      return (['UDP', 'TCP'] as const).map((protocol) => ({ port: clusterServices.dnsPort, protocol }));
    return podShapes
      .filter((p) => p.namespace === to.namespace && selectsByMap(to.labels, p.labels))
      .flatMap((p) =>
        p.containerPorts.map((c) => ({ port: c.containerPort, protocol: (c.protocol ?? 'TCP') as Proto })),
      );
  };
  const probes: Probe[] = [...needed];
  for (const from of endpoints)
    for (const to of endpoints) {
      if (from === to || (!inScope(from) && !inScope(to))) continue;
      for (const { port, protocol } of portsOf(to)) probes.push({ from, to, port, protocol });
    }
  return probes;
};

/**
 * A needed connection covers a probe when the probe's ends are among its ends' pods: a need stated for a label
 * set (every pod of an app) covers each pod that carries those labels.
 */
const covers = (need: Probe, probe: Probe): boolean => {
  const within = (outer: Endpoint, inner: Endpoint) =>
    outer.kind === 'addresses'
      ? inner.kind === 'addresses'
      : inner.kind === 'pods' && inner.namespace === outer.namespace && selectsByMap(outer.labels, inner.labels);
  return (
    need.port === probe.port &&
    need.protocol === probe.protocol &&
    within(need.from, probe.from) &&
    within(need.to, probe.to)
  );
};

export const allowedFlowsEqualNeeded: Guard = (objects) => {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const { needed, problems } = neededConnections(objects);
  const policed = new Set<string>(policedNamespaces);
  const touchesPoliced = (p: Probe) =>
    (p.from.kind === 'pods' && policed.has(p.from.namespace)) || (p.to.kind === 'pods' && policed.has(p.to.namespace));
  for (const n of needed) {
    if (touchesPoliced(n) && !allowed(policies, n.from, n.to, n.port, n.protocol))
      problems.push(`needed, blocked: ${key(n)}`);
  }
  const seen = new Set<string>();
  for (const probe of candidates(objects, needed)) {
    const k = key(probe);
    if (seen.has(k)) continue;
    seen.add(k);
    if (!touchesPoliced(probe)) continue;
    if (needed.some((n) => covers(n, probe))) continue;
    if (allowed(policies, probe.from, probe.to, probe.port, probe.protocol))
      problems.push(`allowed, needed by nothing: ${k}`);
  }
  return problems;
};
