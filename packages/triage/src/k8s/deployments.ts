import { failureModes } from '@homelab/platform';
import type { CoreV1Event, V1Deployment } from '@kubernetes/client-node';
import { type Finding, finding } from '../finding.ts';
import { conditionLine, describeEvent, lastEvent, ref } from './facts.ts';

/** Deployments with fewer available replicas than desired, with the rollout's own explanation. */
export function analyzeDeployments(deployments: readonly V1Deployment[], events: readonly CoreV1Event[]): Finding[] {
  const findings: Finding[] = [];
  for (const d of deployments) {
    const desired = d.spec?.replicas ?? 1;
    const available = d.status?.availableReplicas ?? 0;
    if (available >= desired) continue;
    const conditions = d.status?.conditions ?? [];
    const stuck = conditions.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
    const failure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
    findings.push(
      finding(failureModes.deploymentShort, {
        severity: available === 0 && desired > 0 ? 'alert' : 'warn',
        subject: `deployment ${ref(d.metadata)}`,
        what: `${available} of ${desired} replicas available${stuck ? ': rollout stuck past its deadline' : ''}`,
        evidence: [
          `ready ${d.status?.readyReplicas ?? 0}, updated ${d.status?.updatedReplicas ?? 0}, unavailable ${d.status?.unavailableReplicas ?? 0}`,
          ...conditions.filter((c) => c.status !== 'True' || c.type === 'ReplicaFailure').map(conditionLine),
          describeEvent(lastEvent(events, 'Deployment', d.metadata)),
        ],
        next: failure
          ? 'The ReplicaSet cannot create pods (message above: Pod Security, quota, a missing ServiceAccount): fix that, the rollout continues by itself.'
          : 'Its pods say why (the pod findings above: Pending, CrashLoopBackOff, not Ready). A bad release: `kubectl -n <ns> rollout undo deployment/<name>`.',
      }),
    );
  }
  return findings;
}
