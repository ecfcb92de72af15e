import { tls } from '@homelab/platform';
import { ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { Construct } from 'constructs';
import { addObject } from './api-object.ts';

export interface AcmeIssuerProps {
  /** The account e-mail Let's Encrypt sends expiry notices to. */
  readonly email: string;
  /** The real domain whose DNS zone answers the DNS-01 challenge. */
  readonly dnsZone: string;
  /** Secret (in cert-manager's namespace) holding a Cloudflare API token with Zone:DNS:Edit, key `api-token`. */
  readonly cloudflareTokenSecret: string;
  /** Use Let's Encrypt production. Default: false (staging first, its rate limits forgive mistakes). */
  readonly production?: boolean;
}

/** An optional ACME DNS-01 ClusterIssuer, only synthesized when a real domain is configured. */
export class AcmeIssuer extends Construct {
  readonly issuerName: string;

  constructor(scope: Construct, id: string, props: AcmeIssuerProps) {
    super(scope, id);
    if (!props.email.includes('@')) throw new Error(`ACME issuer: email "${props.email}" is not an address`);
    if (props.dnsZone.endsWith('.home.arpa')) {
      throw new Error(`ACME issuer: ${props.dnsZone} is a home-network name no public CA can validate`);
    }
    this.issuerName = props.production ? 'letsencrypt-production' : 'letsencrypt-staging';
    addObject(
      this,
      'issuer',
      new ClusterIssuer({
        metadata: { name: this.issuerName },
        spec: {
          acme: {
            email: props.email,
            server: props.production ? tls.acme.productionServer : tls.acme.stagingServer,
            privateKeySecretRef: { name: `${this.issuerName}-account` },
            solvers: [
              {
                selector: { dnsZones: [props.dnsZone] },
                dns01: {
                  cloudflare: { apiTokenSecretRef: { name: props.cloudflareTokenSecret, key: 'api-token' } },
                },
              },
            ],
          },
        },
      }),
    );
  }
}
