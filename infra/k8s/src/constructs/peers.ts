import { clusterServices, edge, monitoringStack, namespaces } from '@homelab/platform';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';

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

/** The pods a construct creates, as a NetworkPolicy peer; constructs expose theirs as `pods`. */
export const podPeer = (namespace: string, name: string, labels: Readonly<Record<string, string>>): PodPeer => ({
  kind: 'pods',
  name,
  namespace,
  labels,
});

/** The pods `scope` creates in its chart's namespace, as a peer; throws when the chart has no namespace. */
export const chartPods = (scope: Construct, name: string, labels: Readonly<Record<string, string>>): PodPeer => {
  const { namespace } = Chart.of(scope);
  if (!namespace) throw new Error(`${name}: its pods need a chart with a namespace`);
  return podPeer(namespace, name, labels);
};

// Pods these manifests do not create: Envoy Gateway makes the proxies from the Gateways, the Helm releases and the
// distribution run the rest. Their labels are facts of those charts, kept in @homelab/platform.
export const publicProxyPods = podPeer(namespaces.edge, 'public-proxy', edge.proxyPodLabels(edge.public.name));
export const internalProxyPods = podPeer(namespaces.edge, 'internal-proxy', edge.proxyPodLabels(edge.internal.name));
export const allProxyPods = podPeer(namespaces.edge, 'all-proxies', edge.proxyCommonLabels);
export const edgeControllerPods = podPeer(namespaces.edge, 'envoy-gateway', edge.controllerPodLabels);
export const edgeCertgenPods = podPeer(namespaces.edge, 'envoy-gateway-certgen', edge.certgenPodLabels);
export const prometheusPods = podPeer(monitoringStack.namespace, 'prometheus', monitoringStack.prometheusPodLabels);
export const dnsPods = podPeer(clusterServices.dnsNamespace, 'cluster-dns', clusterServices.dnsPodLabels);
export const internet: AddressPeer = { kind: 'addresses', name: 'internet', cidr: '0.0.0.0/0' };
/** The API server's address is node-specific; the port is what narrows this rule. */
export const apiServer: AddressPeer = { kind: 'addresses', name: 'kube-apiserver', cidr: '0.0.0.0/0' };
