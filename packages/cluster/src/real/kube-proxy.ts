import { join } from 'node:path';
import type { RealNodePlan } from './plan.ts';

export const kubeProxyDirs = (plan: RealNodePlan) => {
  const base = join(plan.dir, 'kube-proxy');
  return { base, config: join(base, 'config.yaml'), pki: join(base, 'pki'), log: join(base, 'kube-proxy.log') };
};

/**
 * One kube-proxy (iptables mode) for all nodes: they share the host's network namespace, so one set of KUBE-*
 * chains serves every pod. `masqueradeAll` because a pod reaching a Service whose endpoint sits on the same bridge
 * would otherwise get the reply straight from the endpoint (bridged, not un-DNATed) and drop it. NodePorts only on
 * the node bridge (never loopback, which would need route_localnet), conntrack sysctls left alone, health and
 * metrics on loopback.
 */
export const kubeProxyConfig = (plan: RealNodePlan) => ({
  apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
  kind: 'KubeProxyConfiguration',
  mode: 'iptables',
  clientConnection: { kubeconfig: join(kubeProxyDirs(plan).pki, 'kubeconfig.yaml') },
  hostnameOverride: plan.nodes[0]?.name,
  clusterCIDR: plan.podCidr,
  healthzBindAddress: `127.0.0.1:${plan.ports.proxyHealthz}`,
  metricsBindAddress: `127.0.0.1:${plan.ports.proxyMetrics}`,
  nodePortAddresses: [plan.nodeCidr],
  iptables: { masqueradeAll: true, syncPeriod: '10s', minSyncPeriod: '0s' },
  conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
});
