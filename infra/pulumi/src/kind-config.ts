import { bootstrap, edge } from '@homelab/platform';
import { stringify } from 'yaml';

export interface KindConfigOptions {
  readonly clusterName: string;
  /** kindest/node image pinned by digest (versions.json `kubernetes.kindNodeImage`). */
  readonly nodeImage: string;
}

/**
 * One control-plane node whose host ports 80/443 forward to the public Envoy Service's fixed NodePorts: a mini
 * PC has no cloud load balancer, so the host's own ports are the front door. Bound on every interface so other
 * devices on the LAN reach the gateway.
 */
export function kindConfig(options: KindConfigOptions): Record<string, unknown> {
  const { http, https } = bootstrap.kindGatewayNodePorts;
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: options.clusterName,
    nodes: [
      {
        role: 'control-plane',
        image: options.nodeImage,
        extraPortMappings: [
          { containerPort: http, hostPort: edge.public.httpPort, listenAddress: '0.0.0.0', protocol: 'TCP' },
          { containerPort: https, hostPort: edge.public.httpsPort, listenAddress: '0.0.0.0', protocol: 'TCP' },
        ],
      },
    ],
  };
}

export const kindConfigYaml = (options: KindConfigOptions): string => stringify(kindConfig(options));
