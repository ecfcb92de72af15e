import { apps, data, dataWorkloads, namespaces } from '@homelab/platform';
import { componentLabels } from '../src/constructs/labels.ts';
import type { Flow } from '../src/constructs/network-flows.ts';
import { internet, type Peer, podPeer } from '../src/constructs/peers.ts';
import type { K8sObject } from '../src/manifests.ts';
import { platformParts } from '../src/platform-app.ts';
import type { Guard } from './cross-references.ts';
import { allowed, type Endpoint, endpointOf } from './network-reachability.ts';
import { podsOf } from './pods.ts';
import { selects } from './selectors.ts';

/** The concrete pods a peer stands for: the workloads' pods it selects, or itself when it is someone else's. */
const endpointsFor = (objects: readonly K8sObject[], peer: Peer): Endpoint[] => {
  if (peer.kind === 'addresses') return [endpointOf(peer)];
  const matching = podsOf(objects)
    .filter((p) => p.namespace === peer.namespace && selects({ matchLabels: { ...peer.labels } }, p.labels))
    .map((p): Endpoint => ({ kind: 'pods', namespace: p.namespace, labels: p.labels }));
  return matching.length > 0 ? matching : [endpointOf(peer)];
};

const describe = (e: Endpoint) => (e.kind === 'pods' ? `${e.namespace}/${JSON.stringify(e.labels)}` : e.cidr);

const check = (objects: readonly K8sObject[], flow: Flow, expect: boolean): string[] => {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const problems: string[] = [];
  for (const from of endpointsFor(objects, flow.from)) {
    for (const to of endpointsFor(objects, flow.to)) {
      for (const { port, protocol } of flow.ports) {
        if (allowed(policies, from, to, port, protocol) !== expect) {
          problems.push(
            `${flow.id}: ${describe(from)} -> ${describe(to)}:${port}/${protocol} is ${expect ? 'blocked' : 'allowed'}`,
          );
        }
      }
    }
  }
  return problems;
};

/** The flows the platform's constructs open (the app is built, not synthesized: nothing is written). */
const realFlows = (): Flow[] => platformParts({ outdir: 'unused' }).flows;

/** Every real flow of the platform is allowed by the synthesized NetworkPolicies. */
export const realFlowsAllowed: Guard = (objects) => realFlows().flatMap((flow) => check(objects, flow, true));

// The forbidden flows name their pods from the labels alone, independently of the constructs under test.
const appPods = (name: keyof typeof apps) => podPeer(namespaces.apps, name, componentLabels(name));
const postgresPods = podPeer(namespaces.data, 'postgres', componentLabels('postgres'));
const redisPods = podPeer(namespaces.data, 'redis', componentLabels('redis'));

/** Flows that do not exist, and must not be possible. */
export const forbiddenFlows = (): Flow[] => [
  {
    id: 'web-to-postgres',
    from: appPods('web'),
    to: postgresPods,
    ports: [{ port: data.postgres.port, protocol: 'TCP' }],
    why: '',
  },
  // web -> redis:6379 is a real flow since ADR 0121 (sign-out revocations shared by the replicas); its exporter is
  // Prometheus' alone.
  {
    id: 'web-to-redis-exporter',
    from: appPods('web'),
    to: redisPods,
    ports: [{ port: dataWorkloads.redis.exporterPort, protocol: 'TCP' }],
    why: '',
  },
  {
    id: 'gateway-to-postgres',
    from: appPods('gateway'),
    to: postgresPods,
    ports: [{ port: data.postgres.port, protocol: 'TCP' }],
    why: '',
  },
  // The gateway reaches the API only through the internal Gateway, where the canary weight applies.
  {
    id: 'gateway-to-api-direct',
    from: appPods('gateway'),
    to: appPods('api'),
    ports: [{ port: apps.api.port, protocol: 'TCP' }],
    why: '',
  },
  {
    id: 'web-to-api',
    from: appPods('web'),
    to: appPods('api'),
    ports: [{ port: apps.api.port, protocol: 'TCP' }],
    why: '',
  },
  {
    id: 'internet-to-api',
    from: internet,
    to: appPods('api'),
    ports: [{ port: apps.api.port, protocol: 'TCP' }],
    why: '',
  },
  {
    id: 'internet-to-postgres',
    from: internet,
    to: postgresPods,
    ports: [{ port: data.postgres.port, protocol: 'TCP' }],
    why: '',
  },
  { id: 'api-to-internet', from: appPods('api'), to: internet, ports: [{ port: 443, protocol: 'TCP' }], why: '' },
  { id: 'postgres-to-internet', from: postgresPods, to: internet, ports: [{ port: 443, protocol: 'TCP' }], why: '' },
];

/** None of the flows that do not exist is allowed. */
export const forbiddenFlowsDenied: Guard = (objects) => forbiddenFlows().flatMap((flow) => check(objects, flow, false));
