import { apps, type FailureModeId } from '@homelab/platform';
import { drillRunbooks } from '../runbooks.ts';
import type { BoundedLoad, ClusterAction, ExpectedSignal, Scenario } from '../scenario.ts';

const load: BoundedLoad = { ratePerSecond: 10, maxSeconds: 120, writeRatio: 0, via: 'gateway' };

/**
 * What a real API server with kwok's fake nodes makes real (drills-and-triage.md); container failures are kwok
 * Stages that write the real API shapes. At home, on k3s/kind, every part is real.
 */
const controlPlane = 'kube-apiserver, scheduler and controllers (real); nodes are kwok fakes';
const kwokStage = 'container state written by a kwok Stage (real API shape, no container ran)';
/** The same drill on a real kubelet (`--kubeconfig`, kind/k3s): the drill workload fails for real (ADR 0104). */
const atHome = (what: string) => `here only: at home on a real kubelet the drill workload ${what}`;

interface ClusterDrill {
  readonly name: string;
  readonly title: string;
  readonly action: ClusterAction;
  readonly hypothesis: string;
  readonly teaches: string;
  readonly interviewQuestion: string;
  readonly expect: readonly ExpectedSignal[];
  readonly runbook: Scenario['runbook'];
  readonly real: readonly string[];
  readonly simulated: readonly string[];
  readonly symptom: string;
  readonly diagnosisKeywords: readonly string[];
  /** Default `revert` (the drill stands in for the operator); `automatic-restart` where a controller fixes it. */
  readonly mitigation?: Scenario['mitigation'];
}

const cluster = (d: ClusterDrill): Scenario => ({
  name: d.name,
  environment: 'cluster',
  title: d.title,
  hypothesis: d.hypothesis,
  teaches: d.teaches,
  interviewQuestion: d.interviewQuestion,
  preconditions: ['a reachable API server (kubeconfig)', 'the homelab manifests applied', 'RBAC allows the action'],
  load,
  baselineSeconds: 5,
  inject: { kind: 'kubernetes', action: d.action },
  expect: d.expect,
  invariants: [],
  mitigation: d.mitigation ?? 'revert',
  recoveredAfterSeconds: 10,
  sloApp: apps.api.name,
  runbook: d.runbook,
  realism: { real: [controlPlane, ...d.real], simulated: d.simulated },
  symptom: d.symptom,
  diagnosisKeywords: d.diagnosisKeywords,
});

/** `homelab triage k8s` finds this failure mode: the cause, not a symptom another finding reports first. */
const k8sFinding = (failureMode: FailureModeId): ExpectedSignal => ({ kind: 'triage', check: 'k8s', failureMode });

export const clusterScenarios: readonly Scenario[] = [
  cluster({
    name: 'k8s-pod-kill',
    title: 'An api pod deleted',
    action: 'delete-pod',
    hypothesis: 'The ReplicaSet replaces a deleted pod; with 2 replicas and a PDB the Service keeps a ready endpoint.',
    teaches: 'Controllers reconcile; endpoints follow readiness.',
    interviewQuestion: 'What happens, step by step, after kubectl delete pod?',
    // The replacement is the mitigation, and it is what the drill watches for (a Ready pod created after the delete).
    expect: [{ kind: 'restarts', app: apps.api.name, count: 1 }],
    mitigation: 'automatic-restart',
    runbook: drillRunbooks.rolloutStuck,
    real: ['the pod DELETE, ReplicaSet replacement, scheduling, EndpointSlice updates'],
    simulated: ['pod start-up (kwok marks it Running)'],
    symptom: 'An api pod is younger than the others.',
    diagnosisKeywords: ['delete', 'kill', 'pod'],
  }),
  cluster({
    name: 'k8s-image-pull',
    title: 'api rollout to an image that cannot be pulled',
    action: 'bad-image',
    hypothesis:
      'A rollout to an image no registry serves leaves the new pod in ErrImagePull then ImagePullBackOff; the old pods keep serving (maxUnavailable 0 at 2 replicas) and triage k8s names the pull failure.',
    teaches:
      'ErrImagePull vs ImagePullBackOff; why a rolling update with surge keeps serving when the new image is bad.',
    interviewQuestion: 'A deploy hangs with one pod in ImagePullBackOff. What do you check, and is anything down?',
    expect: [k8sFinding('podNotReady')],
    runbook: drillRunbooks.rolloutStuck,
    real: [
      'on real nodes only: containerd really fails the pull (every registry resolves to a closed loopback port, so nothing leaves the machine) and the kubelet backs off',
    ],
    simulated: ['on kwok nodes nothing pulls: kwok marks any image Ready, so the drill refuses to run there'],
    symptom: 'A new api pod never starts; the Deployment is short of updated replicas.',
    diagnosisKeywords: ['image', 'pull', 'registry', 'tag'],
  }),
  cluster({
    name: 'k8s-crash-loop',
    title: 'api pods in CrashLoopBackOff',
    action: 'crash-loop-stage',
    hypothesis: 'triage k8s names CrashLoopBackOff with the last termination reason Error and the next step.',
    teaches: 'Reading restarts, lastState and the waiting reason.',
    interviewQuestion: 'A pod is in CrashLoopBackOff. Walk me through your next five commands.',
    expect: [k8sFinding('podCrashLooping')],
    runbook: drillRunbooks.crashLooping,
    real: [],
    simulated: [kwokStage, atHome('reads the fault label and really exits 1 on every restart')],
    symptom: 'Deployment api is short of ready replicas; restarts climb.',
    diagnosisKeywords: ['crash', 'loop', 'backoff'],
  }),
  cluster({
    name: 'k8s-oom-kill',
    title: 'api container OOMKilled',
    action: 'oom-stage',
    hypothesis: 'triage k8s reports lastState.terminated.reason OOMKilled with the container memory limit.',
    teaches: 'Exit 137 plus OOMKilled: a limit, not a crash.',
    interviewQuestion: 'Exit code 137: what does it mean and what do you check?',
    expect: [k8sFinding('containerOomKilled')],
    runbook: drillRunbooks.oomKilled,
    real: [],
    simulated: [
      kwokStage,
      'no memory was used: the real OOM kill runs in the local oom-kill drill',
      atHome(`touches more memory each second until the ${apps.api.resources.memoryLimit} limit gets it OOM-killed`),
    ],
    symptom: 'api restarts with exit code 137.',
    diagnosisKeywords: ['oom', 'memory', '137'],
  }),
  cluster({
    name: 'k8s-pending',
    title: 'Pod Pending: no node matches',
    action: 'unschedulable-node-selector',
    hypothesis: "The scheduler's FailedScheduling event names why (node selector); triage k8s repeats it with the fix.",
    teaches: 'Pending is the scheduler talking: read its event.',
    interviewQuestion: 'A pod has been Pending for ten minutes. Where is the reason written?',
    expect: [k8sFinding('podPending')],
    runbook: drillRunbooks.podPending,
    real: ['the scheduler and its FailedScheduling event'],
    simulated: [],
    symptom: 'A new api pod never starts.',
    diagnosisKeywords: ['pending', 'schedul', 'selector', 'taint', 'affinity'],
  }),
  cluster({
    name: 'k8s-no-endpoints',
    title: 'Service with no endpoints (selector mismatch)',
    action: 'selector-mismatch',
    hypothesis:
      'A Service whose selector matches no pod has an empty EndpointSlice; triage endpoints names the mismatch.',
    teaches: 'Services find pods by labels only; one typo is an outage with every pod healthy.',
    interviewQuestion: 'Every pod is Running and Ready, yet the Service answers nothing. Why?',
    expect: [{ kind: 'triage', check: 'endpoints' }],
    runbook: drillRunbooks.noEndpoints,
    real: ['the EndpointSlice controller'],
    simulated: [],
    symptom: 'Requests to the api Service time out; all pods are Ready.',
    diagnosisKeywords: ['selector', 'label', 'endpoint'],
  }),
  cluster({
    name: 'k8s-pvc-pending',
    title: 'PVC Pending: missing storage class',
    action: 'missing-storage-class',
    hypothesis:
      'A claim naming a StorageClass that does not exist stays Pending; triage k8s reports the PV controller event.',
    teaches: 'Storage binding is its own controller with its own events.',
    interviewQuestion: 'The database pod is Pending and its PVC too. What do you check?',
    expect: [k8sFinding('pvcPending')],
    runbook: drillRunbooks.pvcPending,
    real: ['the PV controller and its ProvisioningFailed/Pending event'],
    simulated: [],
    symptom: 'A StatefulSet pod stays Pending with an unbound claim.',
    diagnosisKeywords: ['storage', 'pvc', 'claim', 'class'],
  }),
  cluster({
    name: 'k8s-drain-pdb',
    title: 'Node drain blocked by a PodDisruptionBudget',
    action: 'drain-under-pdb',
    hypothesis:
      'Draining a node under a PDB with minAvailable = replicas is refused (429) until one more replica exists; then it completes with no failed request.',
    teaches: 'The eviction API honours PDBs; a drain that hangs is usually a PDB doing its job.',
    interviewQuestion: 'kubectl drain hangs. Why, and what must not be done to make it finish?',
    expect: [k8sFinding('nodeNotReady')],
    runbook: drillRunbooks.rolloutStuck,
    real: [
      'the cordon, the eviction API and PDB accounting (disruption controller), rescheduling off the cordoned node',
    ],
    simulated: ['replacement pods start on kwok nodes'],
    symptom: 'A node drain has been waiting for minutes.',
    diagnosisKeywords: ['pdb', 'disruption', 'evict', 'drain'],
  }),
  cluster({
    name: 'k8s-coredns-broken',
    title: 'CoreDNS scaled to zero',
    action: 'break-coredns',
    hypothesis: 'With CoreDNS gone the kube-dns Service has no endpoints; triage endpoints and dns name it.',
    teaches: 'DNS is a dependency of everything; how its failure looks from a pod.',
    interviewQuestion: 'Every service reports connection errors to names that worked an hour ago. First step?',
    expect: [{ kind: 'triage', check: 'endpoints' }],
    runbook: drillRunbooks.coreDnsErrors,
    real: ['the scale subresource, the pods going away, the kube-dns EndpointSlice emptying'],
    simulated: [
      'no DNS query runs (no pod network on fake nodes): a probe fails when kube-dns has no ready endpoint; real DNS checks run locally',
      'without a cluster DNS add-on (kwok) the drill scales a stand-in coredns Deployment and kube-dns Service in its namespace',
    ],
    symptom: 'Name resolution fails inside the cluster.',
    diagnosisKeywords: ['dns', 'coredns', 'resolv'],
  }),
  cluster({
    name: 'k8s-cert-expiry',
    title: 'cert-manager Certificate not Ready',
    action: 'expire-certificate',
    hypothesis: 'A Certificate whose status is not Ready is reported by triage k8s with its reason.',
    teaches: 'Certificates are objects with conditions; renewal failures show up there first.',
    interviewQuestion: 'The edge certificate expires tomorrow and renewal failed. How do you find out why?',
    expect: [k8sFinding('certificateNotReady')],
    runbook: drillRunbooks.certificateExpiring,
    real: ['the Certificate custom resource and its status subresource'],
    simulated: [
      'no cert-manager controller, key or Secret: the drill writes the status a failed renewal leaves (data only)',
      "here only: at home cert-manager's controller itself finds the Certificate's ClusterIssuer missing, and the revert has the platform's CA issuer really issue it",
      'the probes measure Service endpoints, not TLS handshakes (the local cert-expiry drill counts those)',
    ],
    symptom: 'The edge certificate has not renewed.',
    diagnosisKeywords: ['cert', 'tls', 'expir', 'issuer'],
  }),
  cluster({
    name: 'k8s-bad-canary',
    title: 'A bad canary that never becomes ready',
    action: 'bad-canary',
    hypothesis:
      "A canary whose pods never become Ready stalls its rollout past the Deployment's progress deadline; the canary gate never gives it weight and rolls it back (weight 0, scaled to zero), triage k8s reports the canary Deployment short of replicas, and stable traffic sees no failed request.",
    teaches:
      'Canaries as route weights; readiness gates traffic before any SLO evidence can; a stuck rollout is a rollback, not a wait.',
    interviewQuestion: 'A canary is not progressing. How do you tell a bad build from a stuck rollout?',
    expect: [k8sFinding('deploymentShort'), { kind: 'canary-rolled-back', app: apps.api.name }],
    mitigation: 'canary-rollback',
    runbook: drillRunbooks.rolloutStuck,
    real: [
      "the canary gate's decision and its cluster driver (packages/canary-gate runRollout + clusterDriver)",
      'as the deployer ServiceAccount through a TokenRequest token, under the production Role (RBAC enforced)',
      'server-side apply of the canary image/replicas and the HTTPRoute weights and rollout record',
      "the Deployment controller's rollout and its ProgressDeadlineExceeded verdict",
      'EndpointSlices of the stable Service (the probes)',
    ],
    simulated: [
      "the bad build's crash: a kwok Stage keeps the canary pods in CrashLoopBackOff, never Ready (no container ran; at home its unpullable image keeps them in ImagePullBackOff)",
      'no data plane: nothing moves requests by the HTTPRoute weights; the drill reads them and the probes count stable endpoints',
      'no metrics (nothing on kwok nodes serves /metrics): the gate gets a stand-in source with no series, and never reads it because it decides before any traffic',
      "the canary's progress deadline is shortened to 6 s (the platform's canaries keep 600 s; the gate's own 300 s wait ends first there)",
    ],
    symptom: 'A deploy ended in a rollback; the canary Deployment has 0 ready replicas.',
    diagnosisKeywords: ['canary', 'rollout', 'ready'],
  }),
];
