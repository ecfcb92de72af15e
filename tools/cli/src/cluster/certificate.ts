import type { Kube, KubeObject } from '@homelab/cluster';
import { apps } from '@homelab/platform';

/**
 * The api's cert-manager Certificate as data: the real CRD and its status subresource on the API server, but no
 * cert-manager controller and no key or secret. The drill writes the status a renewal that keeps failing leaves
 * behind (Ready=False, reason Expired, notAfter in the past, failed issuance attempts) and, as the revert, the
 * status a successful renewal writes (Ready=True, notAfter 90 days on).
 */
export const certificateName = `${apps.api.name}-tls`;

const certificate = (namespace: string): KubeObject => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: certificateName, namespace },
  spec: {
    secretName: certificateName,
    dnsNames: [`${apps.api.name}.${namespace}.svc`],
    issuerRef: { name: 'homelab-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
  },
});

const day = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function writeStatus(kube: Kube, namespace: string, status: object): Promise<void> {
  const path = `${await kube.pathOf('cert-manager.io/v1', 'Certificate', namespace, certificateName)}/status`;
  await kube.call('PATCH', path, { body: { status }, contentType: 'application/merge-patch+json' });
}

/** Whether the API server serves cert-manager's Certificate (its CRDs installed). */
export async function certificatesServed(kube: Kube): Promise<boolean> {
  try {
    await kube.resourceOf('cert-manager.io/v1', 'Certificate');
    return true;
  } catch {
    return false;
  }
}

export async function expireCertificate(kube: Kube, namespace: string): Promise<string> {
  await kube.applyOrThrow(certificate(namespace));
  const now = Date.now();
  const notAfter = iso(now - 60 * 60 * 1000);
  await writeStatus(kube, namespace, {
    notBefore: iso(now - 90 * day),
    notAfter,
    failedIssuanceAttempts: 3,
    lastFailureTime: iso(now - 5 * 60 * 1000),
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'Expired',
        message: `Certificate expired on ${notAfter}`,
        lastTransitionTime: iso(now),
        observedGeneration: 1,
      },
    ],
  });
  return `wrote certificate ${namespace}/${certificateName} status: Ready=False Expired, notAfter ${notAfter}, 3 failed issuance attempts (data only: no cert-manager runs here)`;
}

export async function renewCertificate(kube: Kube, namespace: string): Promise<string> {
  const now = Date.now();
  const notAfter = iso(now + 90 * day);
  await writeStatus(kube, namespace, {
    notBefore: iso(now),
    notAfter,
    renewalTime: iso(now + 60 * day),
    failedIssuanceAttempts: null,
    lastFailureTime: null,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Ready',
        message: 'Certificate is up to date and has not expired',
        lastTransitionTime: iso(now),
        observedGeneration: 1,
      },
    ],
  });
  return `wrote the renewed status: Ready=True, notAfter ${notAfter}`;
}
