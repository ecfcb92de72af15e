/**
 * Facts of the at-home bootstrap (infra/pulumi): the cluster's name and how the public Gateway is reached on a
 * single machine without a cloud load balancer.
 */
export const bootstrap = {
  /** The kind cluster (and kubeconfig context) the program creates. */
  clusterName: 'homelab',
  /**
   * kind has no LoadBalancer implementation: the public Envoy Service gets these fixed NodePorts and the kind
   * config maps host ports 80/443 to them. k3s needs neither: its ServiceLB binds 80/443 on the host itself.
   */
  kindGatewayNodePorts: { http: 30080, https: 30443 },
} as const;
