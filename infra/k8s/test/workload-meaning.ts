import { footprintPeakBudget } from '@homelab/platform';
import { footprintAtPeak, totals } from '../src/footprint.ts';
import { type K8sObject, objectId, podTemplateOf, workloads } from '../src/manifests.ts';
import type { Guard } from './cross-references.ts';
import { selectsByMap } from './selectors.ts';

/** Kubernetes' default progressDeadlineSeconds for a Deployment. */
const defaultProgressDeadline = 600;

interface Probe {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

/**
 * Probe timing against the Deployment's progress deadline. The earliest a container can be Ready is after the
 * startup probe's first success and the readiness probe's successes; the latest start the kubelet still accepts is
 * the startup probe's whole allowance. When the first is past the deadline no rollout ever succeeds; when the
 * second is, a pod the kubelet would still let start is declared stuck (a canary is rolled back for a slow start
 * its own probes allow).
 */
export const probesFitProgressDeadline: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'Deployment')
    .flatMap((o) => {
      const deadline: number = o.spec.progressDeadlineSeconds ?? defaultProgressDeadline;
      const minReady: number = o.spec.minReadySeconds ?? 0;
      return (podTemplateOf(o)?.spec.containers ?? []).flatMap(
        (c: { name: string; startupProbe?: Probe; readinessProbe?: Probe }) => {
          const s = c.startupProbe;
          const r = c.readinessProbe;
          const period = (p?: Probe) => p?.periodSeconds ?? 10;
          const startEarliest = s ? (s.initialDelaySeconds ?? 0) : 0;
          const startLatest = s
            ? (s.initialDelaySeconds ?? 0) + period(s) * (s.failureThreshold ?? 3) + (s.timeoutSeconds ?? 1)
            : 0;
          // Readiness probes start with the container (initialDelay counts from there) and only after startup.
          const readyAfter = (start: number) =>
            r
              ? Math.max(start, r.initialDelaySeconds ?? 0) + period(r) * ((r.successThreshold ?? 1) - 1) + minReady
              : start + minReady;
          const earliest = readyAfter(startEarliest);
          const latest = readyAfter(startLatest);
          const id = `${objectId(o)} container ${c.name}`;
          if (earliest >= deadline)
            return [`${id}: Ready at the earliest after ${earliest}s, past progressDeadlineSeconds ${deadline}`];
          if (latest > deadline)
            return [
              `${id}: its probes allow a start of up to ${latest}s, past progressDeadlineSeconds ${deadline} (declared stuck first)`,
            ];
          return [];
        },
      );
    });

/**
 * Two Services of the platform never select the same pods: stable and canary Services must select disjoint pods,
 * or the HTTPRoute's weights lie (the stable Service would also send traffic to the canary). Headless Services
 * are the StatefulSets' own and are counted too.
 */
export const servicesSelectDisjointPods: Guard = (objects) => {
  const services = objects.filter((o) => o.kind === 'Service' && o.spec?.selector);
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const labels = podTemplateOf(w)?.metadata?.labels ?? {};
    const selecting = services.filter(
      (s) => s.metadata.namespace === w.metadata.namespace && selectsByMap(s.spec.selector, labels),
    );
    if (selecting.length > 1)
      problems.push(`${objectId(w)}: pods selected by ${selecting.map((s) => s.metadata.name).join(' and ')}`);
  }
  return problems;
};

/** A StatefulSet's serviceName names a headless Service of its namespace that selects its pods (stable DNS names). */
export const statefulSetsHaveHeadlessService: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'StatefulSet')
    .flatMap((o) => {
      const svc = objects.find(
        (s: K8sObject) =>
          s.kind === 'Service' &&
          s.metadata.namespace === o.metadata.namespace &&
          s.metadata.name === o.spec.serviceName,
      );
      if (!svc) return [`${objectId(o)}: serviceName ${o.spec.serviceName} names no Service`];
      const problems: string[] = [];
      if (svc.spec.clusterIP !== 'None') problems.push(`${objectId(o)}: Service ${svc.metadata.name} is not headless`);
      if (!selectsByMap(svc.spec.selector, podTemplateOf(o)?.metadata?.labels))
        problems.push(`${objectId(o)}: Service ${svc.metadata.name} does not select its pods`);
      return problems;
    });

/**
 * The peak fits the node: every HPA at its maximum, a rollout's surge pod per Deployment, a canary per app, every
 * Job running at once, the stores, the proxies and the add-ons (the minimum-replica budget alone hides an HPA
 * maximum or a Job that cannot be scheduled when it is needed).
 */
export const footprintFitsAtPeak: Guard = (objects) => {
  const t = totals(footprintAtPeak(objects), ['apps', 'data', 'edge', 'jobs (transient)', 'add-ons']);
  const problems: string[] = [];
  if (t.cpuMillis > footprintPeakBudget.cpuMillis)
    problems.push(`peak requests ${t.cpuMillis}m CPU exceed the node's ${footprintPeakBudget.cpuMillis}m`);
  if (t.memoryMiB > footprintPeakBudget.memoryMiB)
    problems.push(`peak requests ${Math.round(t.memoryMiB)} Mi exceed the node's ${footprintPeakBudget.memoryMiB} Mi`);
  return problems;
};

export const workloadMeaningGuards: Record<string, Guard> = {
  probesFitProgressDeadline,
  servicesSelectDisjointPods,
  statefulSetsHaveHeadlessService,
  footprintFitsAtPeak,
};
