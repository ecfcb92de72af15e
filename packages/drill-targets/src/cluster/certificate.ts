import type { Kube, KubeObject } from '@homelab/cluster';
import { apps, tls } from '@homelab/platform';

/**
 * The api's cert-manager Certificate whose renewal fails because its issuer is gone (the commonest real cause).
 * Without a cert-manager controller (the kwok control plane) it is data: the real CRD and its status subresource,
 * the drill writing the status a failing renewal leaves behind (Ready=False, reason Expired, notAfter in the past,
 * failed issuance attempts) and, as the revert, the status a successful renewal writes. With one (at home) the
 * controller owns the status and would overwrite anything written: there the Certificate names a ClusterIssuer that
 * does not exist, cert-manager itself reports it not Ready, and the revert points it at the platform's CA issuer,
 * which really issues it.
 */
export const certificateName = `${apps.api.name}-tls`;
/** A ClusterIssuer no cluster has: the injected fault. */
export const missingIssuer = 'homelab-drill-missing-issuer';

const certificate = (namespace: string, issuer: string): KubeObject => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: certificateName, namespace },
  spec: {
    secretName: certificateName,
    dnsNames: [`${apps.api.name}.${namespace}.svc`],
    issuerRef: { name: issuer, kind: 'ClusterIssuer', group: 'cert-manager.io' },
  },
});

/** Whether a cert-manager controller is deployed (the platform's Helm release labels its Deployment so). */
export async function certManagerRuns(kube: Kube): Promise<boolean> {
  const controllers = await kube.list(
    'apps/v1',
    'Deployment',
    tls.certManagerNamespace,
    'app.kubernetes.io/name=cert-manager,app.kubernetes.io/component=controller',
  );
  return controllers.some((d) => (d.status?.readyReplicas ?? 0) > 0);
}

/** Whether the platform's CA ClusterIssuer exists: the issuer the revert points the Certificate back at. */
export async function caIssuerExists(kube: Kube): Promise<boolean> {
  return (await kube.get('cert-manager.io/v1', 'ClusterIssuer', tls.caIssuer)) !== undefined;
}

const day = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function writeStatus(kube: Kube, namespace: string, status: object): Promise<void> {
  const path = `${await kube.pathOf('cert-manager.io/v1', 'Certificate', namespace, certificateName)}/status`;
  await kube.call('PATCH', path, { body: { status }, contentType: 'application/merge-patch+json' });
}

/** Whether the API server serves cert-manager's Certificate (its CRDs installed). */
export const certificatesServed = (kube: Kube): Promise<boolean> => kube.serves('cert-manager.io/v1', 'Certificate');

export async function expireCertificate(kube: Kube, namespace: string, controller: boolean): Promise<string> {
  await kube.applyOrThrow(certificate(namespace, missingIssuer));
  if (controller) {
    return `created certificate ${namespace}/${certificateName} with issuer ClusterIssuer/${missingIssuer} (none exists): cert-manager's controller writes its status`;
  }
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

export async function renewCertificate(kube: Kube, namespace: string, controller: boolean): Promise<string> {
  if (controller) {
    await kube.applyOrThrow(certificate(namespace, tls.caIssuer));
    return `pointed the certificate at ClusterIssuer/${tls.caIssuer}: cert-manager issues it`;
  }
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
