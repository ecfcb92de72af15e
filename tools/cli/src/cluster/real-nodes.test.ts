import { type KubeObject, waitFor } from '@homelab/cluster';
import { type DrillRecord, renderRecord, runDrill, type Scenario, scenarioNamed } from '@homelab/drills';
import { appImage, podSecurityLabels, restrictedSecurityContext, versions } from '@homelab/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  killAndWaitForCleanup,
  leftovers,
  type RealCluster,
  realNodesUnavailable,
  startRealCluster,
} from '../../test/real-cluster.ts';
import { clusterDrillTarget, realNodeMaxFaultSeconds } from './drill-target.ts';

/**
 * The real thing: two containerd + kubelet nodes joined to the project's control plane, one kube-proxy (iptables)
 * and CoreDNS, every address on bridges this run created. One cluster for the whole file, owned by a child process;
 * the last test kills that process with SIGKILL and checks the guardian put the host back (links, chains, routes,
 * mounts, processes, cgroups, sysctls). Needs root, Debian's containerd/runc/CNI plugins/iptables and the Go builds
 * (scripts/k8s-tools.sh, scripts/k8s-node-tools.sh); skips locally without them, fails under CI=true.
 */
const unavailable = realNodesUnavailable();

/** The drills issue 16 asks for on real pods, each with what its signal must say there. */
const realDrills: [string, RegExp][] = [
  ['k8s-pod-kill', /replacement pod api-\S+ Ready/],
  ['k8s-crash-loop', /CrashLoopBackOff: the container keeps exiting/],
  ['k8s-oom-kill', /killed for exceeding its memory limit|OOMKilled/],
  ['k8s-image-pull', /ErrImagePull|ImagePullBackOff/],
  ['k8s-drain-pdb', /evicted api-/],
  ['k8s-pending', /Pending/],
  ['k8s-no-endpoints', /service drills\/api/],
  ['k8s-bad-canary', /rolled back/],
];
const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
const ns = 'real-nodes';

type Pod = KubeObject & {
  spec: { nodeName?: string };
  status?: {
    phase?: string;
    podIP?: string;
    containerStatuses?: {
      ready: boolean;
      restartCount: number;
      state?: { waiting?: { reason?: string; message?: string }; terminated?: { exitCode: number; message?: string } };
      lastState?: { terminated?: { reason?: string; exitCode?: number } };
    }[];
  };
};

/** A tiny HTTP server in the api image that answers with its pod's name. */
const helloScript = `require('node:http').createServer((q, s) => s.end(process.env.POD_NAME)).listen(8080)`;
/** Resolves the Service by name through the cluster DNS, then asks it 20 times which pod answered. */
const clientScript = (host: string) => `
const dns = require('node:dns').promises;
(async () => {
  const { address } = await dns.lookup(${JSON.stringify(host)});
  const seen = new Set();
  for (let i = 0; i < 20; i++) seen.add(await (await fetch('http://${host}/')).text());
  require('node:fs').writeFileSync('/dev/termination-log', JSON.stringify({ address, pods: [...seen] }));
})().catch((e) => { require('node:fs').writeFileSync('/dev/termination-log', String(e)); process.exit(1); });
`;

const container = (name: string, command: string[]) => ({
  name,
  image: appImage('api'),
  imagePullPolicy: 'IfNotPresent',
  command,
  securityContext: restrictedSecurityContext.container,
  resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
});

describe.skipIf(unavailable)('real nodes: containerd + kubelet on the project control plane', () => {
  let c: RealCluster;
  beforeAll(async () => {
    c = await startRealCluster(2);
    console.log(
      `real-node cluster: images built+imported in ${c.info.seconds.images.toFixed(1)} s, nodes Ready ${c.info.seconds.ready.toFixed(1)} s after the kubelets started, ${c.info.seconds.total.toFixed(1)} s for the real-node part`,
    );
    await c.kube.applyOrThrow({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: podSecurityLabels('restricted') },
    });
  }, 900_000);
  afterAll(async () => {
    if (c && c.owner.exitCode === null) await killAndWaitForCleanup(c);
  }, 180_000);

  const pods = async (selector: string) => (await c.kube.list('v1', 'Pod', ns, selector)) as Pod[];

  it('joins real kubelets at the pinned version, on node IPs of the run bridge', async () => {
    const nodes = await c.kube.list('v1', 'Node');
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual(c.info.plan.nodes.map((n) => n.name));
    for (const n of nodes) {
      const planned = c.info.plan.nodes.find((p) => p.name === n.metadata.name);
      expect(n.status.nodeInfo.kubeletVersion).toBe(versions.kubernetes.controlPlane);
      expect(n.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\./);
      expect(n.status.addresses).toContainEqual({ type: 'InternalIP', address: planned?.ip });
      expect((n.metadata.annotations as Record<string, string> | undefined)?.['kwok.x-k8s.io/node']).toBeUndefined();
    }
  });

  it('runs pods on both nodes and a pod reaches a Service by name through CoreDNS and kube-proxy', async () => {
    const labels = { app: 'hello' };
    await c.kube.applyOrThrow({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hello', namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: restrictedSecurityContext.pod,
            automountServiceAccountToken: false,
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'DoNotSchedule',
                labelSelector: { matchLabels: labels },
              },
            ],
            containers: [
              {
                ...container('hello', ['node', '-e', helloScript]),
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    });
    await c.kube.applyOrThrow({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'hello', namespace: ns },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    const ready = await waitFor(
      'two hello pods Ready',
      async () => {
        const ps = (await pods('app=hello')).filter((p) => p.status?.containerStatuses?.[0]?.ready);
        return ps.length === 2 ? ps : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    expect(new Set(ready.map((p) => p.spec.nodeName)).size).toBe(2);
    const host = `hello.${ns}.svc.${c.info.plan.clusterDomain}`;
    await c.kube.applyOrThrow({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client', namespace: ns },
      spec: {
        restartPolicy: 'Never',
        securityContext: restrictedSecurityContext.pod,
        automountServiceAccountToken: false,
        containers: [container('client', ['node', '-e', clientScript(host)])],
      },
    });
    const done = await waitFor(
      'the client pod to finish',
      async () => {
        const pod = (await c.kube.get('v1', 'Pod', 'client', ns)) as Pod;
        return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' ? pod : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const message = done.status?.containerStatuses?.[0]?.state?.terminated?.message ?? '';
    expect(done.status?.phase, message).toBe('Succeeded');
    const result = JSON.parse(message) as { address: string; pods: string[] };
    const svc = (await c.kube.get('v1', 'Service', 'hello', ns)) as KubeObject;
    expect(result.address).toBe(svc.spec.clusterIP);
    expect(result.pods.sort()).toEqual(ready.map((p) => p.metadata.name).sort());
  }, 300_000);

  it('a missing image is a real ErrImagePull, and the pull never leaves the machine', async () => {
    await c.kube.applyOrThrow({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'missing-image', namespace: ns },
      spec: {
        securityContext: restrictedSecurityContext.pod,
        automountServiceAccountToken: false,
        containers: [{ ...container('missing', ['true']), image: 'registry.invalid/homelab/missing:0' }],
      },
    });
    const waiting = await waitFor(
      'ErrImagePull',
      async () => {
        const pod = (await c.kube.get('v1', 'Pod', 'missing-image', ns)) as Pod;
        const w = pod.status?.containerStatuses?.[0]?.state?.waiting;
        return w?.reason === 'ErrImagePull' || w?.reason === 'ImagePullBackOff' ? w : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    // Every registry host resolves to the loopback blackhole in containerd's hosts.toml.
    expect(waiting.message ?? '').toMatch(/127\.0\.0\.1:1|connection refused|ImagePullBackOff|Back-off/i);
  }, 120_000);

  describe('cluster drills on real pods', () => {
    let target: Awaited<ReturnType<typeof clusterDrillTarget>>;
    const records: DrillRecord[] = [];
    beforeAll(async () => {
      target = await clusterDrillTarget(c.kube, c.info.kubeconfig);
    }, 300_000);
    afterAll(async () => {
      await target?.stop();
      for (const r of records) console.log(renderRecord(r));
      console.log(
        ['| drill (real nodes) | failed probes | detect | recover | verdict |', '| --- | --- | --- | --- | --- |']
          .concat(
            records.map(
              (r) =>
                `| ${r.scenario} | ${r.measurements.failedRequests} | ${seconds(r.measurements.timeToDetectMs)} | ${seconds(r.measurements.timeToRecoverMs)} | ${r.passed ? 'passed' : 'FAILED'} |`,
            ),
          )
          .join('\n'),
      );
    }, 120_000);
    const quick = (name: string): Scenario => {
      const s = scenarioNamed(name);
      return {
        ...s,
        baselineSeconds: 2,
        recoveredAfterSeconds: 2,
        load: { ...s.load, ratePerSecond: 5, maxSeconds: 120 },
      };
    };

    it.each(realDrills)(
      '%s',
      async (name, detail) => {
        const r = await runDrill(quick(name), target, { minFaultSeconds: 2, maxFaultSeconds: realNodeMaxFaultSeconds });
        records.push(r);
        expect(target.realNodes).toBe(c.info.plan.nodes.length);
        expect(r.passed, renderRecord(r)).toBe(true);
        expect(`${r.signals.map((x) => x.detail).join('\n')}\n${r.evidence.join('\n')}`).toMatch(detail);
      },
      240_000,
    );
  });

  it('killing the owning process (SIGKILL) leaves nothing on the host: links, chains, routes, mounts, processes, cgroups, sysctls', async () => {
    expect(leftovers(c.info.plan, c.workdir, c.before).length).toBeGreaterThan(0);
    const left = await killAndWaitForCleanup(c);
    expect(left).toEqual([]);
  }, 180_000);
});
