import { certificates, tls } from '@homelab/platform';
import { Certificate, ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { Construct } from 'constructs';
import { addObject } from './api-object.ts';

/**
 * The cluster-scoped half of the private CA: a self-signed issuer that exists only to sign the CA certificate,
 * and the CA ClusterIssuer every leaf certificate names. Lives in a chart without a namespace.
 */
export class PrivateCaIssuers extends Construct {
  readonly caIssuerName = tls.caIssuer;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    addObject(
      this,
      'bootstrap',
      new ClusterIssuer({ metadata: { name: tls.bootstrapIssuer }, spec: { selfSigned: {} } }),
    );
    addObject(
      this,
      'ca',
      new ClusterIssuer({ metadata: { name: tls.caIssuer }, spec: { ca: { secretName: tls.caSecretName } } }),
    );
  }
}

/**
 * The CA certificate itself, in cert-manager's namespace (where a ClusterIssuer reads its CA Secret from).
 */
export class PrivateCaCertificate extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    addObject(
      this,
      'certificate',
      new Certificate({
        metadata: { name: tls.caSecretName },
        spec: {
          isCA: true,
          commonName: tls.caCommonName,
          secretName: tls.caSecretName,
          duration: certificates.caDuration,
          privateKey: { algorithm: tls.keyAlgorithm, size: tls.keySize, rotationPolicy: 'Always' },
          issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: tls.bootstrapIssuer },
        },
      }),
    );
  }
}
