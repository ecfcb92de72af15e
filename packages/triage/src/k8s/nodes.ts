import { failureModes } from '@homelab/platform';
import type { V1Node } from '@kubernetes/client-node';
import { type Finding, finding } from '../finding.ts';
import { conditionLine, ref } from './facts.ts';

const pressureNext: Record<string, string> = {
  MemoryPressure:
    'The kubelet is evicting pods for memory: find the largest pods on the node (`homelab triage mem` on it).',
  DiskPressure: 'Disk or inodes nearly full: images and logs; `crictl rmi --prune`, then find what grows.',
  PIDPressure: 'Too many processes: a fork loop or a thread leak; `homelab triage cpu` on the node lists them.',
  NetworkUnavailable: 'The CNI has not configured the node network: check the CNI pods on it.',
};

/** Nodes not Ready, under pressure, or cordoned. */
export function analyzeNodes(nodes: readonly V1Node[]): Finding[] {
  const findings: Finding[] = [];
  for (const node of nodes) {
    const conditions = node.status?.conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    const subject = `node ${ref(node.metadata)}`;
    if (ready?.status !== 'True') {
      findings.push(
        finding(failureModes.nodeNotReady, {
          severity: 'alert',
          subject,
          what: `NotReady (${ready?.status ?? 'no Ready condition'}): its pods are evicted after the toleration time`,
          evidence: conditions.map(conditionLine),
          next: "Unknown means the kubelet stopped reporting: reach the machine, `systemctl status kubelet` (or k3s), its disk and memory; False carries the kubelet's own reason above.",
        }),
      );
    }
    for (const c of conditions.filter((c) => c.type !== 'Ready' && c.status === 'True')) {
      findings.push(
        finding(failureModes.nodeNotReady, {
          severity: 'alert',
          subject,
          what: `${c.type}`,
          evidence: [conditionLine(c)],
          next: pressureNext[c.type] ?? 'See the condition message.',
        }),
      );
    }
    if (node.spec?.unschedulable) {
      findings.push(
        finding(failureModes.nodeNotReady, {
          severity: 'warn',
          subject,
          what: 'cordoned: no new pods are scheduled here',
          evidence: ['spec.unschedulable=true', ...(node.spec.taints ?? []).map((t) => `taint ${t.key}:${t.effect}`)],
          next: 'If a drain is finished: `kubectl uncordon <node>`. A drain stuck on a PodDisruptionBudget shows in `kubectl get pdb -A`.',
        }),
      );
    }
  }
  return findings;
}
