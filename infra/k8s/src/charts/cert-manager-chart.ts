import { tls } from '@homelab/platform';
import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { PrivateCaCertificate } from '../constructs/private-ca.ts';

/** The private CA's certificate, in cert-manager's namespace where its ClusterIssuer reads the Secret. */
export class CertManagerChart extends Chart {
  constructor(scope: Construct, id: string, props: Omit<ChartProps, 'namespace'> = {}) {
    super(scope, id, { ...props, namespace: tls.certManagerNamespace });
    new PrivateCaCertificate(this, 'private-ca');
  }
}
