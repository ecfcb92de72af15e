import { failureModes } from '@homelab/platform';
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { type Finding, finding } from '../finding.ts';
import { conditionLine, ref } from './facts.ts';

/** HPAs at their ceiling, or unable to read their metrics (they then never scale). */
export function analyzeHpas(hpas: readonly V2HorizontalPodAutoscaler[]): Finding[] {
  const findings: Finding[] = [];
  for (const hpa of hpas) {
    const conditions = hpa.status?.conditions ?? [];
    const subject = `hpa ${ref(hpa.metadata)}`;
    const active = conditions.find((c) => c.type === 'ScalingActive');
    const current = hpa.status?.currentReplicas ?? 0;
    const max = hpa.spec.maxReplicas;
    const target = `${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name}`;
    if (active?.status === 'False') {
      findings.push(
        finding(failureModes.hpaWithoutMetrics, {
          severity: 'alert',
          subject,
          what: `not scaling: ${active.reason ?? 'ScalingActive=False'}`,
          evidence: [
            conditionLine(active),
            `replicas ${current} (min ${hpa.spec.minReplicas ?? 1}, max ${max}), target ${target}`,
          ],
          next: /metric/i.test(`${active.reason} ${active.message}`)
            ? "It gets no metrics: is metrics-server running and serving (`kubectl top pods`)? Do the target's containers set CPU requests (utilisation is a share of the request)?"
            : 'See the condition message: the target may be missing or scaled to zero.',
        }),
      );
    }
    if (current >= max) {
      const limited = conditions.find((c) => c.type === 'ScalingLimited');
      findings.push(
        finding(failureModes.hpaMaxedOut, {
          severity: 'warn',
          subject,
          what: `at its maximum of ${max} replicas: more load is not absorbed`,
          evidence: [
            `replicas ${current}, desired ${hpa.status?.desiredReplicas ?? '?'}`,
            ...(limited ? [conditionLine(limited)] : []),
            ...(hpa.status?.currentMetrics ?? []).map(
              (m) =>
                `current ${m.resource?.name ?? m.type}: ${m.resource?.current.averageUtilization ?? m.resource?.current.averageValue ?? '?'}${m.resource?.current.averageUtilization !== undefined ? ' %' : ''}`,
            ),
          ],
          next: 'Is the load real (request rate on the dashboards) or a hot loop? Real: raise max in packages/platform (apps replicas) if the node has room (`homelab triage cpu`).',
        }),
      );
    }
  }
  return findings;
}
