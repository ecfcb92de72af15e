import { join } from 'node:path';
import type { KubeObject } from '../kube.ts';
import type { RealNodePlan } from './plan.ts';

/** The user CoreDNS's client certificate names; bound to the read-only role below. */
export const coreDnsUser = 'system:homelab:coredns';

export const coreDnsDirs = (plan: RealNodePlan) => {
  const base = join(plan.dir, 'coredns');
  return { base, corefile: join(base, 'Corefile'), pki: join(base, 'pki'), log: join(base, 'coredns.log') };
};

/**
 * CoreDNS as a host process on the run's DNS address (a local bridge address), like kube-proxy: the API server
 * listens on loopback only, which a pod cannot reach, so CoreDNS cannot run as a pod here. It answers the cluster
 * domain from the API (the kubernetes plugin) and nothing else: no `forward`, so no query ever leaves the machine.
 */
export const corefile = (plan: RealNodePlan): string => `.:53 {
    bind ${plan.dnsAddress}
    errors
    health 127.0.0.1:${plan.ports.dnsHealth}
    ready 127.0.0.1:${plan.ports.dnsReady}
    kubernetes ${plan.clusterDomain} in-addr.arpa ip6.arpa {
        kubeconfig ${join(coreDnsDirs(plan).pki, 'kubeconfig.yaml')} homelab
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
    loop
}
`;

const ns = 'kube-system';

/** The kube-dns Service at the kubelets' clusterDNS address, its endpoint the host CoreDNS, and CoreDNS's RBAC. */
export const dnsObjects = (plan: RealNodePlan): KubeObject[] => [
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'homelab:coredns' },
    rules: [
      { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'homelab:coredns' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'homelab:coredns' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: coreDnsUser }],
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: ns, labels: { 'k8s-app': 'kube-dns' } },
    spec: {
      clusterIP: plan.dnsServiceIp,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kube-dns-host',
      namespace: ns,
      labels: {
        'kubernetes.io/service-name': 'kube-dns',
        'endpointslice.kubernetes.io/managed-by': 'homelab-real-nodes',
      },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [plan.dnsAddress], conditions: { ready: true } }],
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ],
  },
];
