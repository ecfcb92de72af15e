import { certificates, domain, edge, k8sLabels, namespaces, serviceHost, tls } from '@homelab/platform';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { Gateway, HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import { Construct } from 'constructs';
import { addObject } from './api-object.ts';
import { EnvoyProxyConfig } from './envoy-proxy-config.ts';

export interface GatewaysProps {
  readonly gatewayClassName: string;
  /** Base domain of the public hostnames. Default: `domain.base` from @homelab/platform. */
  readonly baseDomain?: string;
}

/** A reference to one listener of one Gateway, as an HTTPRoute's parentRef. */
export interface ListenerRef {
  readonly gatewayName: string;
  readonly namespace: string;
  readonly sectionName: string;
}

/**
 * The two Gateways: `public` (HTTPS on the rotated certificate, HTTP redirected) and `internal`, whose Service is
 * ClusterIP only, so that routes attached to it (the API's canary weights) are never reachable from outside.
 */
export class Gateways extends Construct {
  readonly publicHttps: ListenerRef;
  readonly internalHttp: ListenerRef;
  readonly hostnames: { readonly web: string; readonly api: string };
  readonly internalServiceHost: string;
  readonly certificateSecretName = edge.public.tlsSecretName;
  readonly internalProxy: EnvoyProxyConfig;
  readonly publicProxy: EnvoyProxyConfig;

  constructor(scope: Construct, id: string, props: GatewaysProps) {
    super(scope, id);
    const base = props.baseDomain ?? domain.base;
    this.hostnames = { web: `${domain.hosts.web}.${base}`, api: `${domain.hosts.api}.${base}` };
    const ns = namespaces.edge;
    this.publicHttps = { gatewayName: edge.public.name, namespace: ns, sectionName: 'https' };
    this.internalHttp = { gatewayName: edge.internal.name, namespace: ns, sectionName: 'http' };
    const internalServiceName = `${edge.internal.name}-gateway`;
    this.internalServiceHost = serviceHost(internalServiceName, ns);

    this.publicProxy = new EnvoyProxyConfig(this, 'public-proxy', {
      name: edge.public.name,
      serviceType: 'LoadBalancer',
      serviceName: `${edge.public.name}-gateway`,
    });
    this.internalProxy = new EnvoyProxyConfig(this, 'internal-proxy', {
      name: edge.internal.name,
      serviceType: 'ClusterIP',
      serviceName: internalServiceName,
    });

    addObject(
      this,
      'certificate',
      new Certificate({
        metadata: { name: edge.public.tlsSecretName },
        spec: {
          secretName: edge.public.tlsSecretName,
          dnsNames: [this.hostnames.web, this.hostnames.api],
          // Short on purpose: a rotation happens every day, so a broken renewal shows within hours.
          duration: certificates.leafDuration,
          renewBefore: certificates.leafRenewBefore,
          privateKey: { algorithm: tls.keyAlgorithm, size: tls.keySize, rotationPolicy: 'Always' },
          issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: tls.caIssuer },
        },
      }),
    );

    const fromAppNamespace = {
      namespaces: {
        from: 'Selector' as const,
        selector: { matchLabels: { [k8sLabels.namespaceName]: namespaces.apps } },
      },
    };
    addObject(
      this,
      'public',
      new Gateway({
        metadata: { name: edge.public.name },
        spec: {
          gatewayClassName: props.gatewayClassName,
          listeners: [
            {
              name: 'http',
              protocol: 'HTTP',
              port: edge.public.httpPort,
              // Only the redirect route below (same namespace) may attach to plain HTTP.
              allowedRoutes: { namespaces: { from: 'Same' } },
            },
            {
              name: this.publicHttps.sectionName,
              protocol: 'HTTPS',
              port: edge.public.httpsPort,
              tls: {
                mode: 'Terminate',
                certificateRefs: [{ group: '', kind: 'Secret', name: this.certificateSecretName }],
              },
              allowedRoutes: fromAppNamespace,
            },
          ],
        },
      }),
    );
    addObject(
      this,
      'https-redirect',
      new HTTPRoute({
        metadata: { name: 'https-redirect' },
        spec: {
          parentRefs: [
            { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: edge.public.name, sectionName: 'http' },
          ],
          rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
        },
      }),
    );
    addObject(
      this,
      'internal',
      new Gateway({
        metadata: { name: edge.internal.name },
        spec: {
          gatewayClassName: props.gatewayClassName,
          infrastructure: {
            parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: this.internalProxy.name },
          },
          listeners: [
            {
              name: this.internalHttp.sectionName,
              protocol: 'HTTP',
              port: edge.internal.httpPort,
              allowedRoutes: fromAppNamespace,
            },
          ],
        },
      }),
    );
  }
}
