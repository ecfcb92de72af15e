import { failureModes } from '@homelab/platform';
import type { CoreV1Event, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { type Finding, finding } from '../finding.ts';
import { describeEvent, lastEvent, ref } from './facts.ts';

/** Claims not Bound, with the PV controller's reason. WaitForFirstConsumer is normal until a pod uses the claim. */
export function analyzePvcs(pvcs: readonly V1PersistentVolumeClaim[], events: readonly CoreV1Event[]): Finding[] {
  const findings: Finding[] = [];
  for (const pvc of pvcs) {
    const phase = pvc.status?.phase ?? 'Pending';
    if (phase === 'Bound') continue;
    const event = lastEvent(events, 'PersistentVolumeClaim', pvc.metadata);
    const className = pvc.spec?.storageClassName;
    const waiting = event?.reason === 'WaitForFirstConsumer';
    const missingClass = /storageclass.*not found/i.test(event?.message ?? '');
    findings.push(
      finding(failureModes.pvcPending, {
        severity: waiting ? 'info' : 'alert',
        subject: `pvc ${ref(pvc.metadata)}`,
        what: waiting ? 'Pending until a pod uses it (WaitForFirstConsumer)' : `${phase}: no volume bound`,
        evidence: [
          `storageClassName ${className ?? '(cluster default)'}, requests ${pvc.spec?.resources?.requests?.storage ?? '?'}`,
          describeEvent(event),
        ],
        next: missingClass
          ? `The StorageClass "${className}" does not exist: create it (\`kubectl get storageclass\` lists what there is) or point the claim at one that does.`
          : waiting
            ? 'Nothing to do unless its pod is Pending too.'
            : 'Check the provisioner for the class is running (`kubectl get storageclass <class> -o yaml` names it) and its logs; for static volumes, that a PV matches size, access mode and class.',
      }),
    );
  }
  return findings;
}
