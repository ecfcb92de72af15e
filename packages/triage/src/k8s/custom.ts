import { failureModes } from '@homelab/platform';
import { type Finding, finding } from '../finding.ts';
import { type Condition, type CustomObject, conditionLine, ref } from './facts.ts';

const notTrue = (conditions: readonly Condition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type && c.status !== 'True');

/** cert-manager Certificates whose Ready condition is not True. */
export function analyzeCertificates(certificates: readonly CustomObject[]): Finding[] {
  return certificates.flatMap((cert) => {
    const ready = cert.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status === 'True') return [];
    return [
      finding(failureModes.certificateNotReady, {
        severity: 'alert',
        subject: `certificate ${ref(cert.metadata)}`,
        what: `not Ready${ready?.reason ? `: ${ready.reason}` : ''}`,
        evidence: [
          ready ? conditionLine(ready) : 'no Ready condition: cert-manager has not processed it',
          ...(cert.status?.notAfter ? [`current certificate valid until ${cert.status.notAfter}`] : []),
        ],
        next:
          'Follow the chain: `kubectl -n <ns> get certificaterequest,order,challenge`; the issuer must be Ready ' +
          '(`kubectl get clusterissuer`). Then `homelab triage cert <host:443>` confirms what the listener serves.',
      }),
    ];
  });
}

/** Gateways not Accepted or Programmed, and HTTPRoutes a parent Gateway did not accept or whose backends do not resolve. */
export function analyzeGatewayApi(gateways: readonly CustomObject[], routes: readonly CustomObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const gw of gateways) {
    const subject = `gateway ${ref(gw.metadata)}`;
    const conditions = gw.status?.conditions ?? [];
    const bad = ['Accepted', 'Programmed'].map((t) => notTrue(conditions, t)).filter((c) => c !== undefined);
    const listeners = (gw.status?.listeners ?? []).flatMap((l) =>
      (l.conditions ?? [])
        .filter((c) => (c.type === 'Conflicted' ? c.status === 'True' : c.status !== 'True'))
        .map((c) => `listener ${l.name}: ${conditionLine(c)}`),
    );
    const unclaimed = conditions.every((c) => c.reason === 'Pending' || c.status === 'Unknown');
    if (bad.length === 0 && listeners.length === 0 && !unclaimed) continue;
    findings.push(
      finding(failureModes.gatewayNotAccepted, {
        severity: 'alert',
        subject,
        what: unclaimed ? 'no controller has accepted it' : 'not Accepted or not Programmed',
        evidence: [...bad.map(conditionLine), ...listeners, ...(unclaimed ? ['conditions still Pending/Unknown'] : [])],
        next: unclaimed
          ? 'Its gatewayClassName must name a GatewayClass whose controller runs (Envoy Gateway: `kubectl -n envoy-gateway-system get pods`).'
          : 'Read the reason: invalid listener (port, protocol, a TLS certificateRef Secret missing), or no address yet; fix the listener in infra/k8s.',
      }),
    );
  }
  for (const route of routes) {
    const parents = route.status?.parents ?? [];
    const subject = `httproute ${ref(route.metadata)}`;
    if (parents.length === 0) {
      findings.push(
        finding(failureModes.gatewayNotAccepted, {
          severity: 'alert',
          subject,
          what: 'no Gateway has accepted it (no parent status)',
          evidence: [`parentRefs: ${JSON.stringify(route.spec?.parentRefs ?? [])}`],
          next: 'Check parentRefs names a Gateway (and sectionName a listener) that exists, in a namespace whose listener allowedRoutes admits this route.',
        }),
      );
      continue;
    }
    for (const parent of parents) {
      const bad = ['Accepted', 'ResolvedRefs'].map((t) => notTrue(parent.conditions, t)).filter((c) => c !== undefined);
      if (bad.length === 0) continue;
      const unresolved = bad.some((c) => c.type === 'ResolvedRefs');
      findings.push(
        finding(failureModes.gatewayNotAccepted, {
          severity: 'alert',
          subject,
          what: `${bad.map((c) => `${c.type}=${c.status}`).join(', ')} on gateway ${parent.parentRef.name}`,
          evidence: bad.map(conditionLine),
          next: unresolved
            ? 'A backendRef does not resolve: the Service or port is missing, or a cross-namespace reference lacks a ReferenceGrant. Then `homelab triage endpoints` for the Service.'
            : 'The Gateway refused it: hostname not matching the listener, or the listener does not allow routes from this namespace.',
        }),
      );
    }
  }
  return findings;
}
