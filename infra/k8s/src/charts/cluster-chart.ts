import { edge, namespaces } from '@homelab/platform';
import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { AcmeIssuer, type AcmeIssuerProps } from '../constructs/acme-issuer.ts';
import { HomelabGatewayClass } from '../constructs/gateway-class.ts';
import { PlatformNamespaces } from '../constructs/platform-namespaces.ts';
import { PrivateCaIssuers } from '../constructs/private-ca.ts';

export interface ClusterChartProps extends ChartProps {
  /** An ACME DNS-01 issuer, only when a real domain is configured. Default: none (the private CA only). */
  readonly acme?: AcmeIssuerProps;
}

/**
 * Cluster-scoped objects: namespaces, the GatewayClass, the ClusterIssuers. A chart without a namespace, which
 * cdk8s would otherwise stamp on them.
 */
export class ClusterChart extends Chart {
  readonly gatewayClass: HomelabGatewayClass;

  constructor(scope: Construct, id: string, props: ClusterChartProps = {}) {
    const { acme, ...chartProps } = props;
    super(scope, id, chartProps);
    new PlatformNamespaces(this, 'namespaces');
    this.gatewayClass = new HomelabGatewayClass(this, 'gateway-class', {
      defaultProxy: { name: edge.public.name, namespace: namespaces.edge },
    });
    new PrivateCaIssuers(this, 'private-ca');
    if (acme) new AcmeIssuer(this, 'acme', acme);
  }
}
