import { k8sLabels } from '@homelab/platform';
import { Construct } from 'constructs';
import { type INetworkPolicyPeer, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { addObject } from './api-object.ts';
import { type Exemption, exemptionAnnotations } from './exemptions.ts';
import type { Flow } from './network-flows.ts';
import type { Peer } from './peers.ts';

export interface NetworkPoliciesProps {
  /** The namespace these policies live in (the chart's). */
  readonly namespace: string;
  /** Every flow of the platform; only those that start or end in `namespace` produce policies here. */
  readonly flows: readonly Flow[];
  /** Set when this namespace's pods come from a controller, not these manifests. Default: none. */
  readonly exemption?: Exemption;
}

const toPeer = (peer: Peer): INetworkPolicyPeer =>
  peer.kind === 'addresses'
    ? { ipBlock: { cidr: peer.cidr } }
    : {
        namespaceSelector: { matchLabels: { [k8sLabels.namespaceName]: peer.namespace } },
        podSelector: { matchLabels: { ...peer.labels } },
      };

/**
 * Default deny for ingress and egress, then one egress policy at the source and one ingress policy at the
 * destination for each flow that touches this namespace. A flow not in the list is not possible.
 */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const { namespace } = props;
    const exemption = props.exemption ? exemptionAnnotations(props.exemption) : {};
    addObject(
      this,
      'default-deny',
      new NetworkPolicy({
        metadata: { name: 'default-deny', annotations: exemption },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      }),
    );
    for (const flow of props.flows) {
      const ports = flow.ports.map((p) => ({ port: p.port, protocol: p.protocol }));
      if (flow.from.kind === 'pods' && flow.from.namespace === namespace) {
        addObject(
          this,
          `${flow.id}-egress`,
          new NetworkPolicy({
            metadata: { name: `${flow.id}-egress`, annotations: { 'homelab.dev/why': flow.why, ...exemption } },
            spec: {
              podSelector: { matchLabels: { ...flow.from.labels } },
              policyTypes: ['Egress'],
              egress: [{ to: [toPeer(flow.to)], ports }],
            },
          }),
        );
      }
      if (flow.to.kind === 'pods' && flow.to.namespace === namespace) {
        addObject(
          this,
          `${flow.id}-ingress`,
          new NetworkPolicy({
            metadata: { name: `${flow.id}-ingress`, annotations: { 'homelab.dev/why': flow.why, ...exemption } },
            spec: {
              podSelector: { matchLabels: { ...flow.to.labels } },
              policyTypes: ['Ingress'],
              ingress: [{ from: [toPeer(flow.from)], ports }],
            },
          }),
        );
      }
    }
  }
}
