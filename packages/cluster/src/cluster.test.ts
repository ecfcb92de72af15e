import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versions } from '@homelab/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterUnavailable, startTestCluster, type TestCluster } from '../test/test-cluster.ts';
import { clusterStatus, kwokctlConfig } from './cluster.ts';
import { crdVersionProblems } from './crds.ts';
import type { KubeObject } from './kube.ts';
import { waitFor } from './kube.ts';
import { fakeNodes, kwokNodeAnnotation } from './nodes.ts';
import { faultLabel, faults } from './stages.ts';

describe('fake nodes', () => {
  it('spread round-robin over the zones and declare ephemeral storage', () => {
    const nodes = fakeNodes({ count: 5, zones: 2 });
    expect(nodes.map((n) => n.metadata.labels['topology.kubernetes.io/zone'])).toEqual([
      'zone-a',
      'zone-b',
      'zone-a',
      'zone-b',
      'zone-a',
    ]);
    for (const n of nodes) expect(n.status.allocatable['ephemeral-storage']).toBeDefined();
  });

  it('refuse a count or zone number that is not a positive integer', () => {
    expect(() => fakeNodes({ count: 0 })).toThrow(/nodes must be a positive integer/);
    expect(() => fakeNodes({ zones: 1.5 })).toThrow(/zones must be/);
  });
});

describe('the kwokctl configuration', () => {
  type Patch = { name: string; extraArgs: { key: string; value: string }[] };
  const kwokArgs = (config: object[]) =>
    ((config[0] as { componentsPatches: Patch[] }).componentsPatches.find((p) => p.name === 'kwok-controller')
      ?.extraArgs ?? []) as Patch['extraArgs'];
  // kwok's own Stages are read from its tool directory: an empty one is enough here.
  const kwok = mkdtempSync(join(tmpdir(), 'homelab-kwok-'));
  mkdirSync(join(kwok, 'stages'));
  const paths = { k8s: '/k8s', etcd: '/etcd', kwok } as never;

  it('with real nodes, lets kwok manage only the nodes annotated as simulated (never a kubelet node or its pods)', () => {
    const args = kwokArgs(kwokctlConfig(paths, { serviceCidr: '10.96.0.0/16', pki: '/pki' }));
    expect(args).toContainEqual({ key: 'manage-all-nodes', value: 'false' });
    const [[key, value]] = Object.entries(kwokNodeAnnotation) as [[string, string]];
    expect(args).toContainEqual({ key: 'manage-nodes-with-annotation-selector', value: `${key}=${value}` });
  });

  it('without real nodes, keeps kwokctl defaults (every node is simulated)', () => {
    expect(kwokArgs(kwokctlConfig(paths))).toEqual([]);
  });
});

describe('CRD pins', () => {
  it('reports CRDs fetched at another version than the pin', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crds-'));
    writeFileSync(
      join(dir, 'versions.txt'),
      `github.com/envoyproxy/gateway ${versions.charts.envoyGateway.version}\ngithub.com/cert-manager/cert-manager v1.19.0\ngithub.com/prometheus-operator/prometheus-operator ${versions.charts.kubePrometheusStack.prometheusOperator}\n`,
    );
    const crd = (group: string, annotations: Record<string, string> = {}, labels: Record<string, string> = {}) =>
      ({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `x.${group}`, annotations, labels },
        spec: { group },
      }) as KubeObject;
    const problems = crdVersionProblems(
      [
        crd('gateway.networking.k8s.io'),
        crd('gateway.envoyproxy.io'),
        crd('cert-manager.io', {}, { 'app.kubernetes.io/version': 'v1.19.0' }),
        crd('monitoring.coreos.com', { 'operator.prometheus.io/version': '0.1.0' }),
      ],
      dir,
    );
    expect(problems.join('\n')).toMatch(/cert-manager: fetched v1.19.0/);
    expect(problems.join('\n')).toMatch(/x.cert-manager.io: cert-manager v1.19.0/);
    expect(problems.join('\n')).toMatch(/x.monitoring.coreos.com: operator 0.1.0/);
  });
});

const unavailable = clusterUnavailable();

describe.skipIf(unavailable)('a kwokctl cluster (real control plane, simulated nodes)', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ count: 4, zones: 2 });
  }, 300_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('serves the pinned version on loopback with a kubeconfig, and reports status', async () => {
    const { info } = cluster;
    expect(new URL(info.server).hostname).toBe('127.0.0.1');
    expect(existsSync(info.kubeconfig)).toBe(true);
    const workdir = join(info.kubeconfig, '../../..');
    const status = await clusterStatus({ name: info.name, workdir });
    expect(status.ready).toBe(true);
    expect(status.version).toBe(versions.kubernetes.controlPlane);
    expect(status.nodes).toHaveLength(4);
    expect(status.nodes.every((n) => n.ready && n.simulated)).toBe(true);
    expect(new Set(status.nodes.map((n) => n.zone))).toEqual(new Set(['zone-a', 'zone-b']));
  });

  it('installed the pinned CRDs', async () => {
    expect(cluster.info.crds).toBeGreaterThan(30);
    const gatewayClass = await cluster.kube.resourceOf('gateway.networking.k8s.io/v1', 'HTTPRoute');
    expect(gatewayClass.name).toBe('httproutes');
    expect((await cluster.kube.resourceOf('cert-manager.io/v1', 'Certificate')).name).toBe('certificates');
    expect((await cluster.kube.resourceOf('monitoring.coreos.com/v1', 'PodMonitor')).name).toBe('podmonitors');
  });

  it('refuses anonymous requests and identities RBAC grants nothing', async () => {
    const res = await cluster.kube.request('GET', '/api/v1/namespaces/default/secrets', {
      as: { user: 'someone', groups: ['system:authenticated'] },
    });
    expect(res.status).toBe(403);
  });

  it('enforces Pod Security admission on a restricted namespace', async () => {
    const { kube } = cluster;
    await kube.applyOrThrow({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'psa', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    });
    const res = await kube.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'root', namespace: 'psa' },
      spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] },
    });
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/violates PodSecurity "restricted/);
  });

  it('schedules a pod that requests ephemeral storage and a local-path volume, and makes it Ready', async () => {
    const { kube } = cluster;
    await kube.applyOrThrow({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    await kube.applyOrThrow({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'with-volume', namespace: 'default' },
      spec: {
        containers: [
          { name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', 'ephemeral-storage': '1Gi' } } },
        ],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      },
    });
    const ready = await waitFor('the pod Ready', async () => {
      const pod = await kube.get('v1', 'Pod', 'with-volume', 'default');
      return pod?.status?.conditions?.some(
        (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
      )
        ? pod
        : undefined;
    });
    expect(ready.spec.nodeName).toMatch(/^node-/);
    const claim = await kube.get('v1', 'PersistentVolumeClaim', 'data', 'default');
    expect(claim?.spec.storageClassName).toBe('local-path');
    expect(claim?.status.phase).toBe('Bound');
  });

  for (const [fault, reason, exitCode] of [
    [faults.oomKilled, 'OOMKilled', 137],
    [faults.crashLoop, 'Error', 1],
  ] as const) {
    it(`gives a pod labelled ${faultLabel}=${fault} the status a kubelet would (${reason}, CrashLoopBackOff)`, async () => {
      const { kube } = cluster;
      const name = `fault-${fault}`;
      await kube.applyOrThrow({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', labels: { [faultLabel]: fault } },
        spec: { containers: [{ name: 'app', image: 'busybox' }] },
      });
      const status = await waitFor(`${name} in CrashLoopBackOff`, async () => {
        const pod = await kube.get('v1', 'Pod', name, 'default');
        const c = pod?.status?.containerStatuses?.[0];
        return c?.state?.waiting?.reason === 'CrashLoopBackOff' ? c : undefined;
      });
      expect(status.lastState.terminated).toMatchObject({ reason, exitCode });
      expect(status.ready).toBe(false);
    });
  }
});

describe.skipIf(unavailable)('clusters created at the same moment', () => {
  it('both come up, on ports of their own (kwokctl picks free ports as it starts: creations take turns)', async () => {
    const results = await Promise.allSettled([
      startTestCluster({ count: 1, crds: false }),
      startTestCluster({ count: 1, crds: false }),
    ]);
    const up = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    try {
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'up'))).toEqual(['up', 'up']);
      const [a, b] = up as [TestCluster, TestCluster];
      expect(a.info.server).not.toBe(b.info.server);
      for (const c of up) expect((await c.kube.request('GET', '/readyz')).status).toBe(200);
    } finally {
      await Promise.all(up.map((c) => c.stop()));
    }
  }, 240_000);
});
