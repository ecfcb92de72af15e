import type { Peer } from '../src/constructs/peers.ts';
import type { K8sObject } from '../src/manifests.ts';
import { namespaceLabels } from './pods.ts';
import { type LabelSelector, selects } from './selectors.ts';

/** One end of a connection: a pod (namespace and labels) or an address outside the cluster's pods. */
export type Endpoint =
  | { readonly kind: 'pods'; readonly namespace: string; readonly labels: Readonly<Record<string, string>> }
  | { readonly kind: 'addresses'; readonly cidr: string };

interface PolicyPeer {
  ipBlock?: { cidr: string };
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
}
interface PolicyRule {
  ports?: { port?: number | string; protocol?: string; endPort?: number }[];
  from?: PolicyPeer[];
  to?: PolicyPeer[];
}

export const endpointOf = (peer: Peer): Endpoint =>
  peer.kind === 'pods'
    ? { kind: 'pods', namespace: peer.namespace, labels: peer.labels }
    : { kind: 'addresses', cidr: peer.cidr };

const peerMatches = (peer: PolicyPeer, policyNamespace: string, other: Endpoint): boolean => {
  if (peer.ipBlock) return other.kind === 'addresses';
  if (other.kind !== 'pods') return false;
  const nsOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, namespaceLabels(other.namespace))
    : other.namespace === policyNamespace;
  return nsOk && selects(peer.podSelector ?? {}, other.labels);
};

const portMatches = (rule: PolicyRule, port: number, protocol: string): boolean =>
  !rule.ports ||
  rule.ports.length === 0 ||
  rule.ports.some(
    (p) =>
      (p.protocol ?? 'TCP') === protocol &&
      (p.port === undefined || (typeof p.port === 'number' && port >= p.port && port <= (p.endPort ?? p.port))),
  );

/**
 * Whether the NetworkPolicies let `from` open a connection to `to` on `port`: the source's namespace must allow
 * the egress and the destination's the ingress, each only if some policy isolates that pod in that direction.
 */
export const allowed = (
  policies: readonly K8sObject[],
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol = 'TCP',
): boolean => {
  const side = (pod: Endpoint, direction: 'Egress' | 'Ingress', other: Endpoint): boolean => {
    if (pod.kind !== 'pods') return true;
    const isolating = policies.filter(
      (p) =>
        p.kind === 'NetworkPolicy' &&
        p.metadata.namespace === pod.namespace &&
        (p.spec.policyTypes ?? ['Ingress']).includes(direction) &&
        selects(p.spec.podSelector, pod.labels),
    );
    if (isolating.length === 0) return true;
    return isolating.some((p) =>
      ((direction === 'Egress' ? p.spec.egress : p.spec.ingress) ?? []).some((rule: PolicyRule) => {
        const peers = direction === 'Egress' ? rule.to : rule.from;
        const peerOk = !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, pod.namespace, other));
        return peerOk && portMatches(rule, port, protocol);
      }),
    );
  };
  return side(from, 'Egress', to) && side(to, 'Ingress', from);
};
