import { faultLabel, faults, type KubeObject, waitFor } from '@homelab/cluster';
import { clusterUnavailable, startTestCluster, type TestCluster } from '@homelab/cluster/testing';
import { type DrillRecord, renderRecord, runDrill, type Scenario, scenarioNamed } from '@homelab/drills';
import { appImage, apps, k8sLabels, tls } from '@homelab/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDrillTarget, drillNamespace } from './drill-target.ts';
import { faultScript } from './fault-script.ts';
import { apiPodProblems } from './pod-actions.ts';

/**
 * Cluster drills on a real control plane with kwok nodes: the scheduler's Pending, the EndpointSlice controller
 * emptying a Service whose selector misses, the PV controller leaving a claim Pending, the ReplicaSet replacing a
 * deleted pod, kwok's fault Stages writing CrashLoopBackOff/OOMKilled, evictions refused under a PDB, CoreDNS scaled
 * to zero, a cert-manager Certificate (the CRDs are installed for it) whose status says Expired, and the canary gate
 * (packages/canary-gate's runRollout and cluster driver, as the deployer ServiceAccount) rolling back a canary that
 * never gets Ready. The load is the API's answer to "does the Service have ready endpoints", 5 times a second;
 * timings shrunk to keep the suite short. Stand-ins: kwok Stages for container states; for the gate, a metric source
 * with no series (nothing on kwok nodes serves /metrics), which it never reads when the canary is not ready.
 * The drill workload's real-kubelet half (its script crashing or growing to an OOM kill) cannot run without a
 * container runtime: here the applied Deployment is read back, and fault-script.test.ts runs the script with node.
 */
const unavailable = clusterUnavailable();
const quick = (name: string): Scenario => {
  const s = scenarioNamed(name);
  return { ...s, baselineSeconds: 2, recoveredAfterSeconds: 2, load: { ...s.load, ratePerSecond: 5, maxSeconds: 60 } };
};

describe.skipIf(unavailable)('cluster drills on a real API server with simulated nodes', () => {
  let cluster: TestCluster;
  let target: Awaited<ReturnType<typeof clusterDrillTarget>>;
  const records: DrillRecord[] = [];
  beforeAll(async () => {
    cluster = await startTestCluster({ count: 2, zones: 1, crds: true });
    target = await clusterDrillTarget(cluster.kube, cluster.info.kubeconfig);
  }, 180_000);
  afterAll(async () => {
    await target?.stop();
    await cluster?.stop();
    for (const r of records) console.log(renderRecord(r));
  }, 60_000);
  const run = async (name: string) => {
    const r = await runDrill(quick(name), target, { minFaultSeconds: 2, maxFaultSeconds: 30 });
    records.push(r);
    return r;
  };

  it('the workload the drills apply is the one a real kubelet runs: api image, fault script, downward-API labels, readiness probe, restricted', async () => {
    type Container = {
      image: string;
      command: string[];
      readinessProbe?: { httpGet?: { port: string } };
      volumeMounts?: { name: string; mountPath: string }[];
    };
    const d = (await cluster.kube.get('apps/v1', 'Deployment', apps.api.name, drillNamespace)) as KubeObject;
    const pod = d.spec.template.spec as {
      containers: Container[];
      volumes: { name: string; downwardAPI?: { items: { path: string; fieldRef: { fieldPath: string } }[] } }[];
    };
    const [c] = pod.containers;
    expect(target.realNodes).toBe(0);
    expect(target.description).toMatch(/; 2 kwok nodes: container failures are kwok Stages\), namespace drills$/);
    expect(c?.image).toBe(appImage('api'));
    expect(c?.command.slice(0, 3)).toEqual(['node', '-e', faultScript]);
    expect(c?.command.slice(3)).toEqual([String(apps.api.port), '/etc/podinfo/labels', faultLabel]);
    expect(c?.readinessProbe?.httpGet?.port).toBe('http');
    expect(c?.volumeMounts).toContainEqual(expect.objectContaining({ name: 'podinfo', mountPath: '/etc/podinfo' }));
    expect(pod.volumes).toContainEqual({
      name: 'podinfo',
      downwardAPI: expect.objectContaining({
        items: [{ path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } }],
      }),
    });
    // The namespace enforces Pod Security restricted, and the api pods were admitted (the target waited for them).
    const ns = (await cluster.kube.get('v1', 'Namespace', drillNamespace)) as KubeObject;
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    // A pod the level forbids is refused by admission (server-side dry run: nothing is created).
    const spec = structuredClone(d.spec.template.spec);
    spec.containers[0].securityContext = { privileged: true };
    const refused = await cluster.kube.request('POST', await cluster.kube.pathOf('v1', 'Pod', drillNamespace), {
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'privileged' }, spec },
      query: { dryRun: 'All' },
    });
    expect(refused.status).toBe(403);
    expect((refused.body as { message: string }).message).toMatch(
      /violates PodSecurity "restricted:latest": privileged/,
    );
  });

  it('k8s-no-endpoints: a selector that misses empties the Service until reverted; triage endpoints names it', async () => {
    const r = await run('k8s-no-endpoints');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.measurements.failedRequests).toBeGreaterThan(0);
    expect(r.signals[0]?.detail).toMatch(/homelab triage endpoints: .*service drills\/api/);
  }, 90_000);

  it('k8s-pending: an unschedulable rollout stays Pending with the scheduler reason; the old pods keep serving', async () => {
    const r = await run('k8s-pending');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.measurements.failedRequests).toBe(0);
    expect(r.signals[0]?.detail).toMatch(/Pending/);
  }, 90_000);

  it('k8s-pvc-pending: a claim on a missing StorageClass is reported with the PV controller event', async () => {
    const r = await run('k8s-pvc-pending');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.signals[0]?.detail).toMatch(/pvc drills\/data/);
  }, 90_000);

  it('k8s-pod-kill: the ReplicaSet replaces a deleted pod and the Service never loses its last endpoint', async () => {
    const r = await run('k8s-pod-kill');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.measurements.failedRequests).toBe(0);
    expect(r.signals[0]?.detail).toMatch(/replacement pod api-\S+ Ready/);
    expect(r.evidence.join('\n')).toMatch(/deleted pod api-/);
  }, 90_000);

  it('k8s-crash-loop: kwok writes CrashLoopBackOff with lastState Error; the Service empties until the pods are replaced', async () => {
    const r = await run('k8s-crash-loop');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.measurements.failedRequests).toBeGreaterThan(0);
    expect(r.signals[0]?.detail).toMatch(/CrashLoopBackOff/);
    expect(r.signals[0]?.detail).not.toMatch(/OOMKilled/);
  }, 90_000);

  it('k8s-oom-kill: triage k8s reports the OOMKilled termination of the api container', async () => {
    const r = await run('k8s-oom-kill');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.measurements.failedRequests).toBeGreaterThan(0);
    // The finding's words, not the runbook's file name (KubeContainerOOMKilled.md) which matches /OOMKilled/ too.
    expect(r.signals[0]?.detail).toMatch(/killed for exceeding its memory limit/);
  }, 90_000);

  it('k8s-drain-pdb refuses to start on one schedulable node (a one-node k3s) instead of hanging', async () => {
    const [node] = await cluster.kube.list('v1', 'Node');
    const path = await cluster.kube.pathOf('v1', 'Node', undefined, node?.metadata.name);
    const cordon = (unschedulable: boolean | null) =>
      cluster.kube.call('PATCH', path, {
        body: { spec: { unschedulable } },
        contentType: 'application/merge-patch+json',
      });
    await cordon(true);
    try {
      expect(await target.checkPreconditions(scenarioNamed('k8s-drain-pdb'))).toContainEqual(
        expect.stringMatching(/^the drain needs at least 2 schedulable nodes \(found 1\)/),
      );
    } finally {
      await cordon(null);
    }
    expect(await target.checkPreconditions(scenarioNamed('k8s-drain-pdb'))).toEqual([]);
  });

  it('k8s-drain-pdb: evictions are refused (429) under the PDB, the drain completes once a replica is added, no request fails', async () => {
    const r = await run('k8s-drain-pdb');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.measurements.failedRequests).toBe(0);
    expect(r.signals[0]?.detail).toMatch(/cordoned/);
    const drain = r.evidence.join('\n');
    expect(drain).toMatch(/[1-9]\d* eviction\(s\) refused \(429/);
    expect(drain).toMatch(/evicted api-/);
    expect(drain).not.toMatch(/not finished/);
  }, 90_000);

  it('k8s-coredns-broken: CoreDNS scaled to zero empties kube-dns; every probe fails until it is scaled back', async () => {
    const r = await run('k8s-coredns-broken');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.measurements.failedRequests).toBeGreaterThan(0);
    expect(r.signals[0]?.detail).toMatch(/service (drills|kube-system)\/kube-dns/);
    expect(r.evidence.join('\n')).toMatch(/scaled \S+\/coredns from 2 to 0[\s\S]*back to 2/);
  }, 90_000);

  it('k8s-cert-expiry: a Certificate whose status says Expired is reported by triage k8s (status as data)', async () => {
    const r = await run('k8s-cert-expiry');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.signals[0]?.detail).toMatch(/certificate drills\/api-tls: not Ready: Expired/);
    expect(r.evidence.join('\n')).toMatch(/Ready=True, notAfter/);
  }, 90_000);

  it('k8s-bad-canary: the gate, as the deployer, rolls back a canary that never gets Ready without ever giving it weight', async () => {
    const r = await run('k8s-bad-canary');
    expect(r.passed, renderRecord(r)).toBe(true);
    expect(r.measurements.failedRequests).toBe(0);
    const [short, rolledBack] = r.signals;
    expect(short?.detail).toMatch(/deployment drills\/api-canary: 0 of 1 replicas available/);
    expect(rolledBack?.detail).toMatch(/rolled back \(canary not ready\): .*ProgressDeadlineExceeded/);
    const evidence = r.evidence.join('\n');
    expect(evidence).toMatch(/acts as system:serviceaccount:drills:homelab-deployer/);
    expect(evidence).toMatch(
      /canary weight at most 0 % over [1-9]\d* reads while the gate ran; now api 100, api-canary 0, rollout phase rolled-back/,
    );
    expect(evidence).toMatch(/deployment drills\/api-canary: replicas 0, image \S+:bad-canary; metrics read 0 times/);
  }, 90_000);

  it('k8s-cert-expiry where cert-manager runs (at home) needs the platform CA issuer its revert re-issues from', async () => {
    // A Deployment labelled as the cert-manager chart labels its controller (kwok makes it Ready; no controller runs).
    const labels = { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' };
    const controller: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cert-manager', namespace: tls.certManagerNamespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{ name: 'cert-manager-controller', image: 'quay.io/jetstack/cert-manager-controller' }],
          },
        },
      },
    };
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: tls.certManagerNamespace } };
    const issuer: KubeObject = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: tls.caIssuer },
      spec: { ca: { secretName: tls.caSecretName } },
    };
    const scenario = scenarioNamed('k8s-cert-expiry');
    const k = cluster.kube;
    try {
      expect(await target.checkPreconditions(scenario)).toEqual([]);
      await k.applyOrThrow(namespace);
      await k.applyOrThrow(controller);
      await waitFor('the stand-in controller to be Ready', async () =>
        (await k.get('apps/v1', 'Deployment', 'cert-manager', tls.certManagerNamespace))?.status?.readyReplicas > 0
          ? true
          : undefined,
      );
      expect(await target.checkPreconditions(scenario)).toEqual([
        `cert-manager runs but ClusterIssuer ${tls.caIssuer} does not exist: the revert re-issues the certificate from it (deploy the platform first)`,
      ]);
      await k.applyOrThrow(issuer);
      expect(await target.checkPreconditions(scenario)).toEqual([]);
    } finally {
      await k.request('DELETE', await k.pathOf('cert-manager.io/v1', 'ClusterIssuer', undefined, tls.caIssuer));
      await k.request('DELETE', await k.pathOf('v1', 'Namespace', undefined, tls.certManagerNamespace));
    }
  });

  it('a start-up that never gets Ready says why per api pod (at home: ErrImagePull; here a kwok crash loop)', async () => {
    const ns = 'drills-pod-problems';
    const k = cluster.kube;
    await k.applyOrThrow({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    try {
      expect(await apiPodProblems(k, ns)).toMatch(/^no api pods/);
      await k.applyOrThrow({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'api-broken',
          namespace: ns,
          labels: { [k8sLabels.name]: apps.api.name, [faultLabel]: faults.crashLoop },
        },
        spec: { containers: [{ name: apps.api.name, image: appImage('api') }] },
      });
      await waitFor('kwok to write the crash loop', async () =>
        /CrashLoopBackOff/.test(await apiPodProblems(k, ns)) ? true : undefined,
      );
      expect(await apiPodProblems(k, ns)).toBe(
        'api-broken: CrashLoopBackOff (back-off 5m0s restarting failed container)',
      );
    } finally {
      await k.request('DELETE', await k.pathOf('v1', 'Namespace', undefined, ns));
    }
  });
});
