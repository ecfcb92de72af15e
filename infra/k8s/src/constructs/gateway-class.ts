import { edge } from '@homelab/platform';
import { GatewayClass } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import { Construct } from 'constructs';
import { addObject } from './api-object.ts';

export interface HomelabGatewayClassProps {
  /** The EnvoyProxy every Gateway of the class uses unless it names its own. */
  readonly defaultProxy: { readonly name: string; readonly namespace: string };
}

/** The platform's GatewayClass, served by Envoy Gateway. Cluster-scoped: lives in a chart without a namespace. */
export class HomelabGatewayClass extends Construct {
  readonly name = edge.gatewayClassName;

  constructor(scope: Construct, id: string, props: HomelabGatewayClassProps) {
    super(scope, id);
    addObject(
      this,
      'class',
      new GatewayClass({
        metadata: { name: this.name },
        spec: {
          controllerName: edge.controllerName,
          parametersRef: {
            group: 'gateway.envoyproxy.io',
            kind: 'EnvoyProxy',
            name: props.defaultProxy.name,
            namespace: props.defaultProxy.namespace,
          },
        },
      }),
    );
  }
}
