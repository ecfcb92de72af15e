import { failureModes } from '@homelab/platform';
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import { type Finding, finding } from '../finding.ts';
import { ref } from './facts.ts';

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const isReady = (pod: V1Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Edit distance, to put the likely typo (`webb` for `web`) before pods of other apps that also miss by one label. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

const show = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** Ready endpoints of a Service, counted over its EndpointSlices (the `kubernetes.io/service-name` label). */
export function readyEndpoints(service: V1Service, slices: readonly V1EndpointSlice[]): number {
  return slices
    .filter(
      (s) =>
        s.metadata?.namespace === service.metadata?.namespace &&
        s.metadata?.labels?.['kubernetes.io/service-name'] === service.metadata?.name,
    )
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready !== false).length;
}

/**
 * Services with a selector and no ready endpoint, and why: the selector matches no pod (with the pods that miss
 * by one label, the usual typo), the pods match but none is Ready, or a named targetPort no container declares.
 */
export function analyzeEndpoints(
  services: readonly V1Service[],
  slices: readonly V1EndpointSlice[],
  pods: readonly V1Pod[],
): Finding[] {
  const findings: Finding[] = [];
  for (const service of services) {
    const selector = service.spec?.selector;
    // No selector: endpoints are managed by hand (or ExternalName); nothing to derive them from.
    if (!selector || Object.keys(selector).length === 0 || service.spec?.type === 'ExternalName') continue;
    const ready = readyEndpoints(service, slices);
    const namespaced = pods.filter(
      (p) => p.metadata?.namespace === service.metadata?.namespace && p.status?.phase !== 'Succeeded',
    );
    const selected = namespaced.filter((p) => matches(selector, p.metadata?.labels));
    const namedPorts = (service.spec?.ports ?? []).filter((p) => typeof p.targetPort === 'string');
    const missingPorts = namedPorts.filter(
      (port) =>
        selected.length > 0 &&
        selected.every((p) => !p.spec?.containers.some((c) => c.ports?.some((cp) => cp.name === port.targetPort))),
    );
    const subject = `service ${ref(service.metadata)}`;
    const base = { subject, severity: 'alert' as const };
    if (selected.length === 0) {
      const nearMisses = namespaced
        .map((p) => ({
          pod: p,
          differing: Object.entries(selector).filter(([k, v]) => p.metadata?.labels?.[k] !== v),
        }))
        .filter((m) => m.differing.length === 1)
        .map((m) => {
          const [key = '', want = ''] = m.differing[0] ?? [];
          const have = m.pod.metadata?.labels?.[key];
          return { ...m, closeness: have === undefined ? Number.POSITIVE_INFINITY : distance(have, want) };
        })
        .sort((a, b) => a.closeness - b.closeness)
        .slice(0, 3)
        .map(
          ({ pod, differing: [[key, want] = ['', '']] }) =>
            `pod ${pod.metadata?.name} has ${key}=${pod.metadata?.labels?.[key] ?? '(unset)'}, the selector wants ${key}=${want}`,
        );
      findings.push(
        finding(failureModes.serviceWithoutEndpoints, {
          ...base,
          what: 'no endpoints: the selector matches no pod',
          evidence: [`selector ${show(selector)}`, `${namespaced.length} pod(s) in the namespace`, ...nearMisses],
          next: nearMisses.length
            ? 'A label differs by one value: fix the Service selector or the pod template labels (in infra/k8s both come from one object; a hand edit broke that).'
            : 'No pod carries these labels: is the Deployment scaled to zero or in another namespace?',
        }),
      );
    } else if (ready === 0 && !selected.some(isReady)) {
      findings.push(
        finding(failureModes.serviceWithoutEndpoints, {
          ...base,
          what: `no ready endpoints: ${selected.length} pod(s) match but none is Ready`,
          evidence: selected.slice(0, 5).map((p) => {
            const c = p.status?.conditions?.find((x) => x.type === 'Ready');
            return `pod ${p.metadata?.name}: ${p.status?.phase}, Ready=${c?.status ?? '?'}${c?.reason ? ` (${c.reason})` : ''}`;
          }),
          next: 'The pods are the problem, not the Service: `homelab triage k8s` shows why each is not Ready.',
        }),
      );
    } else if (missingPorts.length > 0) {
      findings.push(
        finding(failureModes.serviceWithoutEndpoints, {
          ...base,
          what: `named targetPort not declared by the pods: ${missingPorts.map((p) => p.targetPort).join(', ')}`,
          evidence: [
            ...missingPorts.map((p) => `service port ${p.name ?? p.port} -> targetPort "${p.targetPort}"`),
            `pod ports: ${[...new Set(selected.flatMap((p) => p.spec?.containers.flatMap((c) => (c.ports ?? []).map((cp) => `${cp.name ?? '(unnamed)'}:${cp.containerPort}`)) ?? []))].join(' ')}`,
          ],
          next: 'Name the container port as the Service expects, or point targetPort at the number.',
        }),
      );
    } else if (ready === 0) {
      findings.push(
        finding(failureModes.serviceWithoutEndpoints, {
          ...base,
          what: 'no ready endpoints although Ready pods match',
          evidence: [`selector ${show(selector)}`, `${selected.filter(isReady).length} Ready pod(s) match`],
          next: 'The EndpointSlice controller lags or is not running (kube-controller-manager); check its logs.',
        }),
      );
    }
  }
  return findings;
}
