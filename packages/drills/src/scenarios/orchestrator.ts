import { apps } from '@homelab/platform';
import { drillRunbooks } from '../runbooks.ts';
import type { BoundedLoad, Scenario } from '../scenario.ts';

/** 10 requests per second through the gateway's service address: the orchestrator e2e test's rate, doubled. */
const load: BoundedLoad = { ratePerSecond: 10, maxSeconds: 90, writeRatio: 0.3, via: 'gateway' };

/** What runs for real on the orchestrator target; printed with every result. */
const real = [
  'the Go orchestrator (orchestrator/): control plane, scheduler, one agent per node, TCP service proxies',
  'three nodes as network namespaces on a bridge the run created; every workload a process tree in its own pid/mount/uts/ipc namespaces and cgroup',
  'PostgreSQL 15 and Redis (Debian binaries), api, gateway and web (the apps from the checkout) as workloads',
  'HTTP load through the gateway service address on the bridge',
];
const notKubernetes = [
  'no Kubernetes, no kubelet, no containerd or images: the agent is a process manager that plays the kubelet',
  'the nodes share one kernel, one disk and one clock (a "power loss" kills processes and cuts the veth, disks survive)',
];
const preconditions = [
  'root (namespaces, cgroups, a bridge)',
  'every workload ready on the orchestrator',
  'baseline load answers without errors',
];

const scenario = (s: Omit<Scenario, 'environment' | 'load' | 'baselineSeconds' | 'preconditions' | 'sloApp'>) =>
  ({
    environment: 'orchestrator',
    load,
    baselineSeconds: 3,
    preconditions,
    sloApp: apps.gateway.name,
    ...s,
  }) satisfies Scenario;

export const orchestratorScenarios: readonly Scenario[] = [
  scenario({
    name: 'orch-process-kill',
    title: "An api instance's process tree SIGKILLed on the orchestrator",
    hypothesis: `With ${apps.api.replicas.min} api instances behind the service proxy, a SIGKILL of one instance's shim (pid 1 of its namespace, so the kernel kills the whole tree) is restarted by its node's agent within the back-off plus the start-up; the proxy drops the dead endpoint, so failed requests stay inside that window and no acknowledged write is lost.`,
    teaches:
      'Process supervision below the scheduler: who restarts a process, and why a second replica hides the restart.',
    interviewQuestion:
      'A container died and was restarted in place. Which component did that, and what did clients see?',
    inject: { kind: 'orchestrator', action: 'kill-workload-process', app: apps.api.name },
    expect: [{ kind: 'restarts', app: apps.api.name, count: 1 }],
    invariants: [{ kind: 'no-acknowledged-write-lost' }, { kind: 'no-server-errors-beyond-fault' }],
    mitigation: 'automatic-restart',
    recoveredAfterSeconds: 3,
    runbook: drillRunbooks.gatewayAvailability,
    realism: {
      real: [...real, 'SIGKILL of the instance, the agent restart and its back-off'],
      simulated: notKubernetes,
    },
    symptom: 'One api instance is younger than the others; a few requests may have failed.',
    diagnosisKeywords: ['kill', 'restart', 'crash', 'died', 'exited'],
  }),
  scenario({
    name: 'orch-agent-kill',
    title: "A node's agent SIGKILLed: its stateless instances move",
    hypothesis:
      "After a node's agent is SIGKILLed its heartbeats stop; the control plane marks the node not ready after its 3 s timeout and starts the api elsewhere (the node's processes keep running unsupervised meanwhile); no 5xx outside that window, no acknowledged write lost; when the agent returns it adopts its processes and is told to stop the replaced ones.",
    teaches: 'Failure detection by heartbeat timeout, and why stateless instances may briefly run twice.',
    interviewQuestion: 'A node stops reporting. When do its pods move, and what if it was only its agent that died?',
    inject: { kind: 'orchestrator', action: 'kill-agent', app: apps.api.name },
    expect: [{ kind: 'instance-moved', app: apps.api.name }],
    invariants: [{ kind: 'no-acknowledged-write-lost' }, { kind: 'no-server-errors-beyond-fault' }],
    mitigation: 'automatic-reschedule',
    recoveredAfterSeconds: 3,
    runbook: drillRunbooks.nodeNotReady,
    realism: {
      real: [...real, "SIGKILL of the node agent, the control plane's heartbeat timeout and rescheduling"],
      simulated: notKubernetes,
    },
    symptom: 'One node reports nothing; the api runs on the other nodes.',
    diagnosisKeywords: ['node', 'agent', 'heartbeat', 'kubelet', 'notready'],
  }),
  scenario({
    name: 'orch-postgres-node-loss',
    title: 'Power loss of the node holding PostgreSQL',
    hypothesis:
      'When the node holding PostgreSQL loses power the orchestrator does not start a second PostgreSQL elsewhere (its volume is on that node); the condition says it waits for the node; writes fail with 5xx (never acknowledged) until the operator restores the node, and then every acknowledged note is there.',
    teaches:
      'Stateful versus stateless: a node loss is a data problem, not a scheduling problem; wait or migrate explicitly.',
    interviewQuestion:
      'The database node died. Why did the orchestrator not move the database, and what are your options?',
    inject: { kind: 'orchestrator', action: 'kill-node', dependency: 'postgres' },
    expect: [
      { kind: 'dependency-down', dependency: 'postgres' },
      { kind: 'condition', workload: 'postgres', reason: 'waiting-for-node' },
    ],
    invariants: [{ kind: 'no-acknowledged-write-lost' }, { kind: 'no-server-errors-beyond-fault' }],
    mitigation: 'revert',
    recoveredAfterSeconds: 3,
    runbook: drillRunbooks.postgresDown,
    realism: {
      real: [
        ...real,
        "SIGKILL of the node's agent and every process in its cgroups, its veth link down, PostgreSQL's crash recovery from its WAL on restore",
      ],
      simulated: [
        ...notKubernetes,
        'the revert restores the node (what the operator does when the hardware comes back)',
      ],
    },
    symptom: 'Reads and writes fail with 5xx; the database workload reports it is waiting.',
    diagnosisKeywords: ['postgres', 'database', 'node', 'volume'],
  }),
];
