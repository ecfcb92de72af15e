import type { Kube, KubeObject } from '@homelab/cluster';
import { restrictedSecurityContext } from '@homelab/platform';

const dnsLabels = { 'k8s-app': 'kube-dns' };

/**
 * Where the drill finds CoreDNS: kube-system's own (k3s, kind, kubeadm all name it `coredns`, Service `kube-dns`),
 * or, on a control plane without one (kwok nodes, no cluster DNS add-on), a stand-in of the same shape in the drill
 * namespace: a `coredns` Deployment of 2 kwok pods and a `kube-dns` Service on port 53. The stand-in answers no
 * query; what it makes real is the scale, the pods going away and the Service's EndpointSlice emptying.
 */
export interface Dns {
  readonly namespace: string;
  readonly standIn: boolean;
  /**
   * The real-node cluster's CoreDNS (`homelab cluster up --real-nodes`): a host process behind kube-system's kube-dns
   * Service, not a Deployment, so there is nothing to scale.
   */
  readonly hostProcess?: boolean;
}

export async function findOrCreateDns(kube: Kube, fallbackNamespace: string): Promise<Dns> {
  if (await kube.get('apps/v1', 'Deployment', 'coredns', 'kube-system'))
    return { namespace: 'kube-system', standIn: false };
  if (await kube.get('v1', 'Service', 'kube-dns', 'kube-system'))
    return { namespace: 'kube-system', standIn: false, hostProcess: true };
  const namespace = fallbackNamespace;
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: dnsLabels },
      template: {
        metadata: { labels: dnsLabels },
        spec: {
          // The drill namespace enforces Pod Security `restricted`; the stand-in never runs a container anyway.
          securityContext: restrictedSecurityContext.pod,
          containers: [
            {
              name: 'coredns',
              image: 'registry.k8s.io/coredns/coredns',
              securityContext: restrictedSecurityContext.container,
              ports: [
                { name: 'dns', containerPort: 53, protocol: 'UDP' },
                { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
              ],
            },
          ],
        },
      },
    },
  };
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace },
    spec: {
      selector: dnsLabels,
      ports: [
        { name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, targetPort: 'dns-tcp', protocol: 'TCP' },
      ],
    },
  };
  await kube.applyOrThrow(deployment);
  await kube.applyOrThrow(service);
  return { namespace, standIn: true };
}

/** Scales CoreDNS to `replicas` through the scale subresource (what `kubectl scale` does); returns the old count. */
export async function scaleDns(kube: Kube, dns: Dns, replicas: number): Promise<number> {
  if (dns.hostProcess) throw new Error('CoreDNS runs as a host process on this cluster (real nodes): nothing to scale');
  const path = `${await kube.pathOf('apps/v1', 'Deployment', dns.namespace, 'coredns')}/scale`;
  const before = (await kube.call('GET', path)).body as { spec?: { replicas?: number } };
  await kube.call('PATCH', path, {
    body: { spec: { replicas } },
    contentType: 'application/merge-patch+json',
  });
  return before.spec?.replicas ?? 0;
}
