import { edge, podIdentity } from '@homelab/platform';
import { Construct } from 'constructs';
import { addUntypedObject } from './api-object.ts';
import {
  containerResources,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from './workload-defaults.ts';

export interface EnvoyProxyConfigProps {
  readonly name: string;
  /** How the proxies' Service is exposed: the public entry is a LoadBalancer, east-west traffic ClusterIP only. */
  readonly serviceType: 'LoadBalancer' | 'ClusterIP';
  /** A fixed Service name, so other manifests can address the Gateway without Envoy Gateway's hashed name. */
  readonly serviceName: string;
}

/**
 * Envoy Gateway's EnvoyProxy: the proxies' resources, restricted security context, Service type and graceful
 * drain. Referenced from the GatewayClass (public) or a Gateway's `infrastructure.parametersRef` (internal).
 */
export class EnvoyProxyConfig extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: EnvoyProxyConfigProps) {
    super(scope, id);
    this.name = props.name;
    const { uid, gid } = podIdentity;
    addUntypedObject(this, 'envoy-proxy', {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'EnvoyProxy',
      metadata: { name: props.name },
      spec: {
        provider: {
          type: 'Kubernetes',
          kubernetes: {
            envoyDeployment: {
              replicas: edge.proxyReplicas,
              pod: { securityContext: { ...restrictedPodSecurityContext(), runAsUser: uid, runAsGroup: gid } },
              container: {
                resources: containerResources(edge.proxyResources),
                securityContext: restrictedContainerSecurityContext(),
              },
            },
            envoyService: { name: props.serviceName, type: props.serviceType },
          },
        },
        // Envoy keeps serving accepted connections while endpoints update, then exits once they are drained.
        shutdown: { drainTimeout: `${edge.drainTimeoutSeconds}s`, minDrainDuration: `${edge.minDrainSeconds}s` },
      },
    });
  }
}
