import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * Faults a drill or a triage test can put on a pod by labelling it (or its template) with
 * `stages.homelab.dev/fault: <name>`. kwok then writes the status a kubelet would: the shape is the real API's, the
 * process behind it is not (there is none). Apply nothing: the Stages are part of every `homelab cluster up`.
 */
export const faultLabel = 'stages.homelab.dev/fault';
export const faults = { crashLoop: 'crash-loop', oomKilled: 'oom-killed' } as const;
export type Fault = (typeof faults)[keyof typeof faults];

/** kwok's default node and pod Stages, copied from its checksummed module by scripts/k8s-tools.sh. */
export const defaultStages = (kwokDir: string): object[] => {
  const dir = join(kwokDir, 'stages');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as object));
};

/** A running pod whose containers keep dying: waiting CrashLoopBackOff, last state terminated with `reason`. */
const failingStage = (fault: Fault, reason: string, exitCode: number) => ({
  apiVersion: 'kwok.x-k8s.io/v1alpha1',
  kind: 'Stage',
  metadata: { name: `homelab-${fault}` },
  spec: {
    resourceRef: { apiGroup: 'v1', kind: 'Pod' },
    selector: {
      matchExpressions: [
        { key: `.metadata.labels["${faultLabel}"]`, operator: 'In', values: [fault] },
        { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
        // Pending too: a pod created with the label (a bad release's template) goes straight to the failing
        // status and is never Ready, as a container that dies on start never passes its readiness probe.
        { key: '.status.phase', operator: 'In', values: ['Pending', 'Running'] },
        // Once: a pod already in back-off is left alone, so the Stage does not loop on its own output.
        {
          key: '.status.containerStatuses.[] | select( .state.waiting.reason == "CrashLoopBackOff" ) | .name',
          operator: 'DoesNotExist',
        },
      ],
    },
    delay: { durationMilliseconds: 500, jitterDurationMilliseconds: 500 },
    // kwok picks among matching Stages by weight and skips weight 0: this beats pod-ready (0) on a Pending pod.
    weight: 10_000,
    next: {
      statusTemplate: `{{ $now := Now }}
conditions:
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Initialized
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ContainersNotReady
  type: Ready
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ContainersNotReady
  type: ContainersReady
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  started: false
  restartCount: 5
  lastState:
    terminated:
      exitCode: ${exitCode}
      reason: ${reason}
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
  state:
    waiting:
      reason: CrashLoopBackOff
      message: back-off 5m0s restarting failed container
{{ end }}
phase: Running
`,
    },
  },
});

/** The fault Stages, by fault name. */
export const faultStages = (): object[] => [
  failingStage(faults.crashLoop, 'Error', 1),
  // 137 = 128 + SIGKILL, what the kernel's OOM killer leaves as the exit code.
  failingStage(faults.oomKilled, 'OOMKilled', 137),
];
