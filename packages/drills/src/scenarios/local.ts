import { apps } from '@homelab/platform';
import { pageAlert } from '../alerts.ts';
import { drillRunbooks } from '../runbooks.ts';
import type { BoundedLoad, Scenario } from '../scenario.ts';

/** 20 requests per second for at most 50 s: enough to measure, small enough for two shared cores. */
const load: BoundedLoad = { ratePerSecond: 20, maxSeconds: 50, writeRatio: 0, via: 'gateway' };

/** The processes are real; what a cluster adds around them is not. Printed with every local result. */
const localReal = ['api and gateway processes (Node, the apps as shipped)', 'HTTP load through the gateway'];
const noCluster = ['no Kubernetes: the supervisor plays the kubelet (restarts, back-off, OOMKilled reporting)'];

/** The page tier's burn factor: 2 % of a 30-day budget in one hour (slo-burn-rate.md). */
const pageBurn = 14.4;

/*
 * Expected Prometheus alerts (watched with `homelab drill --prometheus`): the page-fast burn-rate alerts that the
 * fault really trips, measured with packages/drill-targets/bench/drill-alerts.ts (docs/adr/0102). Only sustained faults expect
 * one: a single kill (process-kill, oom-kill) also turns the expression true in a drill's fresh Prometheus, whose
 * 1h window holds only seconds of traffic, but would not after an hour of good traffic, so expecting it would
 * assert an artefact of the drill.
 */

export const localScenarios: readonly Scenario[] = [
  {
    name: 'process-kill',
    environment: 'local',
    title: 'API process killed under load',
    hypothesis:
      'With one API replica, a SIGKILL fails the requests in flight and those sent until the supervisor restarts it; the gateway answers them with a problem, the platform recovers by itself within the restart back-off plus start-up time.',
    teaches: 'What one replica costs, what a restart costs, and why min replicas is 2 with a PodDisruptionBudget.',
    interviewQuestion: 'A pod was killed and users saw errors for a few seconds. Why, and how do you make that zero?',
    preconditions: ['api and gateway ready', 'baseline load answers without errors'],
    load,
    baselineSeconds: 3,
    inject: { kind: 'kill-process', app: apps.api.name, signal: 'SIGKILL' },
    expect: [
      { kind: 'termination', app: apps.api.name, reason: 'Error' },
      { kind: 'slo-burn', app: apps.gateway.name, slo: 'availability', factor: pageBurn },
    ],
    invariants: [],
    mitigation: 'automatic-restart',
    recoveredAfterSeconds: 3,
    sloApp: apps.gateway.name,
    runbook: drillRunbooks.gatewayAvailability,
    realism: { real: [...localReal, 'SIGKILL, the restart and its back-off'], simulated: noCluster },
    symptom: 'A burst of 502/503 answers from the gateway that stopped by itself a few seconds later.',
    diagnosisKeywords: ['kill', 'restart', 'crash', 'died', 'exited'],
  },
  {
    name: 'crash-loop',
    environment: 'local',
    title: 'API in a crash loop after a bad configuration',
    hypothesis:
      'A malformed variable stops the API at start-up with a message naming it; the supervisor backs off exponentially (CrashLoopBackOff) and every request fails until the configuration is reverted.',
    teaches: 'Reading a crash loop: the exit reason and the first log line of the last run, not the restart count.',
    interviewQuestion: 'A deployment is in CrashLoopBackOff right after a config change. What do you look at first?',
    preconditions: ['api and gateway ready'],
    load,
    baselineSeconds: 3,
    inject: { kind: 'bad-config', app: apps.api.name, env: { DATABASE_POOL_MAX: '0' } },
    expect: [
      { kind: 'termination', app: apps.api.name, reason: 'Error' },
      { kind: 'restarts', app: apps.api.name, count: 2 },
      { kind: 'slo-burn', app: apps.gateway.name, slo: 'availability', factor: pageBurn },
      pageAlert(apps.gateway.name, 'availability'),
    ],
    invariants: [],
    mitigation: 'revert',
    recoveredAfterSeconds: 3,
    sloApp: apps.gateway.name,
    runbook: drillRunbooks.crashLooping,
    realism: { real: [...localReal, 'the start-up validation, the exits and the back-off'], simulated: noCluster },
    symptom: 'Every API call fails; the api process restarts again and again, further apart each time.',
    diagnosisKeywords: ['config', 'env', 'crashloop', 'crash loop', 'DATABASE_POOL_MAX', 'variable'],
  },
  {
    name: 'oom-kill',
    environment: 'local',
    title: 'API OOM-killed by its memory limit',
    hypothesis:
      "The service kit's memory-leak fault drives the API into its Kubernetes memory limit, enforced by its cgroup; the kernel kills it, the supervisor reports OOMKilled with the limit and restarts it, and the requests in flight fail.",
    teaches: 'A memory limit is a kill, not a slowdown; OOMKilled in lastState is the evidence, RSS growth the cause.',
    interviewQuestion: 'A pod restarts every few hours with exit code 137. What happened and how do you prove it?',
    preconditions: ['api and gateway ready', 'a writable cgroup hierarchy (else the limit cannot bite)'],
    load,
    baselineSeconds: 3,
    inject: { kind: 'fault', app: apps.api.name, settings: { leakMbPerSecond: 64 } },
    expect: [
      { kind: 'termination', app: apps.api.name, reason: 'OOMKilled' },
      { kind: 'triage', check: 'mem' },
    ],
    invariants: [],
    mitigation: 'automatic-restart',
    recoveredAfterSeconds: 3,
    sloApp: apps.gateway.name,
    runbook: drillRunbooks.oomKilled,
    realism: {
      real: [
        ...localReal,
        `the kernel's OOM kill at the api's memory limit (${apps.api.resources.memoryLimit}, cgroup)`,
      ],
      simulated: [...noCluster, 'the leak is the service kit fault, not a real bug'],
    },
    symptom: 'The api restarts every few seconds with exit signal SIGKILL; nobody sent it.',
    diagnosisKeywords: ['oom', 'memory', 'leak', 'limit'],
  },
  {
    name: 'latency-fault',
    environment: 'local',
    title: 'API slower than the gateway latency SLO',
    hypothesis:
      'Adding 400 ms to every API request makes every gateway call slower than its 300 ms objective: the latency SLO burns at the maximum rate while availability stays perfect.',
    teaches: 'Latency and availability budgets burn separately; a slow dependency is not an outage in the error rate.',
    interviewQuestion: 'p99 latency doubled but the error rate is zero. Where do you look, and is it an incident?',
    preconditions: ['api and gateway ready'],
    load,
    baselineSeconds: 3,
    inject: { kind: 'fault', app: apps.api.name, settings: { latencyMs: 400, latencyRatio: 1 } },
    expect: [
      { kind: 'slo-burn', app: apps.gateway.name, slo: 'latency', factor: pageBurn },
      pageAlert(apps.gateway.name, 'latency'),
      pageAlert(apps.api.name, 'latency'),
    ],
    invariants: [{ kind: 'no-server-errors' }],
    mitigation: 'revert',
    recoveredAfterSeconds: 3,
    sloApp: apps.gateway.name,
    runbook: drillRunbooks.gatewayLatency,
    realism: {
      real: [...localReal, 'the delay (the service kit latency fault, in the api process)'],
      simulated: noCluster,
    },
    symptom: 'API calls succeed but take close to half a second each.',
    diagnosisKeywords: ['latency', 'slow', 'delay'],
  },
  {
    name: 'error-fault',
    environment: 'local',
    title: 'API answers half its requests with 500',
    hypothesis:
      'With half the API requests failing, the gateway availability SLO burns far above the page factor; reverting the fault stops the burn at once.',
    teaches: 'How fast a 50 % error rate eats a 99.9 % budget, and what the burn-rate alert tiers mean in minutes.',
    interviewQuestion: 'The error rate is 50 %. How long until the monthly error budget is gone?',
    preconditions: ['api and gateway ready'],
    load,
    baselineSeconds: 3,
    inject: { kind: 'fault', app: apps.api.name, settings: { errorRatio: 0.5 } },
    expect: [
      { kind: 'slo-burn', app: apps.gateway.name, slo: 'availability', factor: pageBurn },
      pageAlert(apps.gateway.name, 'availability'),
      pageAlert(apps.api.name, 'availability'),
    ],
    invariants: [],
    mitigation: 'revert',
    recoveredAfterSeconds: 3,
    sloApp: apps.gateway.name,
    runbook: drillRunbooks.apiAvailability,
    realism: {
      real: [...localReal, 'the 500s (the service kit error fault, in the api process)'],
      simulated: noCluster,
    },
    symptom: 'About every second API call answers 500; the others are fine.',
    diagnosisKeywords: ['error', '500', 'fault'],
  },
  {
    name: 'redis-down',
    environment: 'local',
    title: 'Redis down: cache and rate limiter degrade, no 5xx',
    hypothesis:
      'With Redis gone the API reads from PostgreSQL and the gateway limits from memory: no request fails with a server error, only Redis itself is reported down.',
    teaches: 'A cache is optional by design: graceful degradation, and how to prove it under load.',
    interviewQuestion: 'Redis died at 3 am. Should that page anyone? How do you know users were fine?',
    preconditions: ['api and gateway ready', 'a real Redis server the drill may stop'],
    load,
    baselineSeconds: 3,
    inject: { kind: 'stop-dependency', dependency: 'redis' },
    expect: [{ kind: 'dependency-down', dependency: 'redis' }],
    invariants: [{ kind: 'no-server-errors' }],
    mitigation: 'revert',
    recoveredAfterSeconds: 3,
    sloApp: apps.gateway.name,
    runbook: drillRunbooks.redisDown,
    realism: { real: [...localReal, 'redis-server, stopped and started again'], simulated: noCluster },
    symptom: 'Nothing visible to users; one dependency stopped answering.',
    diagnosisKeywords: ['redis', 'cache'],
  },
  {
    name: 'postgres-down',
    environment: 'local',
    title: 'PostgreSQL down: writes refused, none acknowledged and lost',
    hypothesis:
      'While PostgreSQL is stopped the API answers writes with 503 and never acknowledges one it did not commit; after PostgreSQL returns every acknowledged note is there.',
    teaches: 'Availability versus durability: failing loudly is correct, acknowledging and losing is the incident.',
    interviewQuestion: 'The database restarted. How do you prove no acknowledged write was lost?',
    preconditions: ['api and gateway ready', 'a real PostgreSQL server the drill may stop'],
    load: { ...load, writeRatio: 0.3 },
    baselineSeconds: 3,
    inject: { kind: 'stop-dependency', dependency: 'postgres' },
    expect: [
      { kind: 'dependency-down', dependency: 'postgres' },
      { kind: 'slo-burn', app: apps.gateway.name, slo: 'availability', factor: pageBurn },
      pageAlert(apps.gateway.name, 'availability'),
    ],
    invariants: [{ kind: 'no-acknowledged-write-lost' }],
    mitigation: 'revert',
    recoveredAfterSeconds: 3,
    sloApp: apps.gateway.name,
    runbook: drillRunbooks.postgresDown,
    realism: { real: [...localReal, 'PostgreSQL 15, stopped (fast shutdown) and started again'], simulated: noCluster },
    symptom: 'Reads and writes fail with 503 while the services themselves are up.',
    diagnosisKeywords: ['postgres', 'database', 'db', 'pg'],
  },
  {
    name: 'cert-rotation',
    environment: 'local',
    title: 'Certificate about to expire, rotated on a live TLS listener',
    hypothesis:
      'A certificate close to expiry is detected by its remaining validity; rotating it on the listener (a new secure context) fails no handshake, and clients see the new certificate right after.',
    teaches: 'Certificate expiry is a detection problem; rotation without a restart is a property you can test.',
    interviewQuestion:
      'A certificate expires in 2 days and the renewal is stuck. What do you check, and how do you rotate safely?',
    preconditions: ['a free loopback port for the listener'],
    load: { ratePerSecond: 20, maxSeconds: 30, writeRatio: 0, via: 'tls' },
    baselineSeconds: 2,
    inject: { kind: 'expire-certificate', validForSeconds: 2 * 86_400 },
    expect: [
      { kind: 'certificate-expiring', belowDays: 14 },
      { kind: 'triage', check: 'cert' },
    ],
    invariants: [{ kind: 'no-failed-handshakes' }],
    mitigation: 'revert',
    recoveredAfterSeconds: 2,
    sloApp: apps.gateway.name,
    runbook: drillRunbooks.certificate,
    realism: {
      real: ['TLS handshakes (node:tls) against a listener the drill runs', 'certificates made in the drill'],
      simulated: ['the listener stands in for Envoy; cert-manager renewal is the drill swapping the context'],
    },
    symptom: 'Clients warn that the certificate expires in 2 days.',
    diagnosisKeywords: ['cert', 'tls', 'expir'],
  },
  {
    name: 'bad-canary',
    environment: 'local',
    title: 'A bad canary caught by the canary gate',
    hypothesis:
      'A canary that fails 30 % of its requests is judged bad by the canary gate at its first stage (10 % of the traffic) and rolled back to weight 0 before the service budget burns at the page rate for long.',
    teaches: 'Progressive delivery limits the blast radius: the budget a bad release costs with and without a gate.',
    interviewQuestion: 'A release went bad for 20 % of users. How would you have limited that automatically?',
    preconditions: ['api, api-canary (weight 0) and gateway ready'],
    load,
    baselineSeconds: 3,
    inject: { kind: 'canary', app: apps.api.name, settings: { errorRatio: 0.3 }, weight: 10 },
    expect: [{ kind: 'canary-rolled-back', app: apps.api.name }],
    invariants: [],
    mitigation: 'canary-rollback',
    recoveredAfterSeconds: 3,
    sloApp: apps.gateway.name,
    runbook: drillRunbooks.rolloutStuck,
    realism: {
      real: [
        ...localReal,
        'a second api process as the canary, the gateway weights, the canary gate (packages/canary-gate) scraping both',
      ],
      simulated: [...noCluster, 'the bad release is the service kit error fault in the canary process'],
    },
    symptom: 'A fraction of API calls fail since the last release; most succeed.',
    diagnosisKeywords: ['canary', 'release', 'rollout', 'deploy'],
  },
];
