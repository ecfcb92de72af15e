import { failureModes } from '@homelab/platform';
import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { type Finding, finding } from '../finding.ts';
import { conditionLine, describeEvent, lastEvent, ref } from './facts.ts';

/** The scheduler's reasons, each with the fix it points to (its message lists every reason that applied). */
const schedulingHints: readonly [RegExp, string][] = [
  [
    /Insufficient (cpu|memory|ephemeral-storage)/,
    'Requests exceed what any node has free: lower the requests in packages/platform (apps resources) or add a node; `kubectl describe nodes` shows Allocated resources.',
  ],
  [
    /didn't match Pod's node affinity\/selector|node affinity/,
    'No node carries the labels the nodeSelector or affinity asks for: fix the selector, or label a node.',
  ],
  [
    /untolerated taint|had taint/,
    'Every node is tainted against it: add the toleration, or untaint (`kubectl taint nodes <node> <key>-`).',
  ],
  [
    /unbound immediate PersistentVolumeClaims|persistentvolumeclaim .* not found/,
    'It waits for its volume: see the PVC finding for why the claim is not Bound.',
  ],
  [
    /node\(s\) were unschedulable/,
    'The nodes are cordoned (drain in progress?): `kubectl uncordon <node>` when the work is done.',
  ],
  [/didn't have free ports/, 'A hostPort is taken on every node: drop hostPort or free it.'],
];

const waitingNext: Record<string, string> = {
  ImagePullBackOff:
    'The image cannot be pulled: check the name and tag (packages/platform versions.json), the registry and imagePullSecrets.',
  ErrImagePull:
    'The image cannot be pulled: check the name and tag (packages/platform versions.json), the registry and imagePullSecrets.',
  CreateContainerConfigError:
    'A referenced Secret or ConfigMap (or a key in it) is missing: `kubectl -n <ns> get secret`, then restore it.',
  ContainerCreating: 'Usually volumes or the network: the events say which mount or CNI call is stuck.',
};

const logsCommand = (pod: V1Pod, container: string) =>
  `kubectl -n ${pod.metadata?.namespace} logs ${pod.metadata?.name} -c ${container} --previous --tail=50`;

function containerFinding(pod: V1Pod, status: V1ContainerStatus, event: CoreV1Event | undefined): Finding | undefined {
  const subject = `pod ${ref(pod.metadata)} container ${status.name}`;
  const last = status.lastState?.terminated;
  const lastLine = last
    ? `last termination: ${last.reason ?? 'unknown'} (exit code ${last.exitCode}${last.signal ? `, signal ${last.signal}` : ''}) at ${last.finishedAt ? new Date(last.finishedAt).toISOString() : '?'}`
    : 'no previous termination recorded';
  const limit = pod.spec?.containers.find((c) => c.name === status.name)?.resources?.limits?.memory;
  const restarts = `${status.restartCount} restart(s)`;
  const waiting = status.state?.waiting?.reason;
  const oom = last?.reason === 'OOMKilled';
  if (waiting === 'CrashLoopBackOff') {
    return finding(oom ? failureModes.containerOomKilled : failureModes.podCrashLooping, {
      severity: 'alert',
      subject,
      what: oom
        ? 'CrashLoopBackOff: killed for exceeding its memory limit, again and again'
        : 'CrashLoopBackOff: the container keeps exiting',
      evidence: [restarts, lastLine, ...(oom ? [`memory limit ${limit ?? 'none'}`] : []), describeEvent(event)],
      next: oom
        ? `It needs more than its limit (${limit ?? 'none'}) at start or leaks: compare the working set with the limit; raise the limit in packages/platform only if the usage is legitimate.`
        : `Read why it exits: \`${logsCommand(pod, status.name)}\`. Exit code 1 right after start is usually config (a missing variable or Secret); 137 is a kill (OOM or liveness).`,
    });
  }
  if (waiting && waiting !== 'PodInitializing') {
    return finding(failureModes.podNotReady, {
      severity: 'alert',
      subject,
      what: `container cannot start: ${waiting}`,
      evidence: [status.state?.waiting?.message ?? '', describeEvent(event)].filter(Boolean),
      next: waitingNext[waiting] ?? 'The events (`kubectl -n <ns> describe pod <pod>`) say what it waits for.',
    });
  }
  if (status.restartCount > 0 && last) {
    return finding(oom ? failureModes.containerOomKilled : failureModes.podCrashLooping, {
      severity: 'warn',
      subject,
      what: oom
        ? `restarted after an OOM kill (limit ${limit ?? 'none'})`
        : `restarted: last exit ${last.reason ?? 'unknown'}`,
      evidence: [restarts, lastLine, describeEvent(event)],
      next: oom
        ? 'Running again, but it will be killed again at the same size: watch its memory against the limit.'
        : `See why it exited: \`${logsCommand(pod, status.name)}\`.`,
    });
  }
  return undefined;
}

/** Pods that are not serving: Pending with the scheduler's reason, crash loops, OOM kills, not Ready. */
export function analyzePods(pods: readonly V1Pod[], events: readonly CoreV1Event[]): Finding[] {
  const findings: Finding[] = [];
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded') continue;
    const event = lastEvent(events, 'Pod', pod.metadata);
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (phase === 'Pending' && scheduled?.status === 'False') {
      const scheduling = lastEvent(events, 'Pod', pod.metadata, (e) => e.reason === 'FailedScheduling');
      const message = scheduled.message ?? scheduling?.message ?? '';
      const hints = schedulingHints.filter(([pattern]) => pattern.test(message)).map(([, hint]) => hint);
      findings.push(
        finding(failureModes.podPending, {
          severity: 'alert',
          subject: `pod ${ref(pod.metadata)}`,
          what: `Pending: the scheduler cannot place it (${scheduled.reason ?? 'Unschedulable'})`,
          evidence: [`scheduler: ${message || 'no message yet'}`, describeEvent(scheduling ?? event)],
          next:
            hints.length > 0
              ? hints.join(' ')
              : 'Read the scheduler message above: it lists, per node, why it does not fit.',
        }),
      );
      continue;
    }
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const containerFindings = statuses
      .map((s) => containerFinding(pod, s, event))
      .filter((f): f is Finding => f !== undefined);
    findings.push(...containerFindings);
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
    if (phase === 'Running' && ready?.status !== 'True' && !containerFindings.some((f) => f.severity === 'alert')) {
      const probe = lastEvent(events, 'Pod', pod.metadata, (e) => e.reason === 'Unhealthy');
      findings.push(
        finding(failureModes.podNotReady, {
          severity: 'alert',
          subject: `pod ${ref(pod.metadata)}`,
          what: "Running but not Ready: out of its Services' endpoints",
          evidence: [ready ? conditionLine(ready) : 'no Ready condition', describeEvent(probe ?? event)],
          next:
            'The readiness probe fails: `/readyz` reports which dependency is down (PostgreSQL, Redis); fix that ' +
            'dependency rather than the pod. If the probe itself is wrong, compare its port and path with the app.',
        }),
      );
    }
  }
  return findings;
}
