import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  faultLabel,
  faults,
  type KubeObject,
  kubeClients,
  tokenKubeConfig,
  WaitTimeoutError,
  waitFor,
} from '@homelab/cluster';
import { clusterUnavailable, startTestCluster, type TestCluster } from '@homelab/cluster/testing';
import type { RolloutResult } from '@homelab/deploy-report';
import { type AppName, apps, canary, canaryGate, deployer, k8sLabels, namespaces } from '@homelab/platform';
import type { KubeConfig, V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { recoverInterrupted, rollbackTo } from '../rollout/run-rollout.ts';
import { canaryDriver, clusterDriver } from './cluster-driver.ts';
import { clusterHistory } from './cluster-history.ts';
import type { Router } from './router.ts';
import { CanaryNotReadyError, type RolloutRecord } from './traffic-driver.ts';
import type { Workloads } from './workloads.ts';

/**
 * The cluster driver against a real API server (etcd, kube-apiserver with RBAC and Pod Security, controller
 * manager, scheduler; kwok simulates the nodes), acting as the deployer ServiceAccount with a TokenRequest token,
 * on the objects exactly as synthesized in infra/k8s/dist.
 */
const unavailable = clusterUnavailable();
const dist = join(import.meta.dirname, '../../../../infra/k8s/dist');
const ns = namespaces.apps;
const app: AppName = 'api';
const canaryName = `${app}${canary.suffix}`;
const digest = (n: number) => `registry.example/homelab/api@sha256:${String(n).repeat(64).slice(0, 64)}`;

function synthesized(): KubeObject[] {
  const all = ['cluster.k8s.yaml', 'apps.k8s.yaml'].flatMap((file) =>
    parseAllDocuments(readFileSync(join(dist, file), 'utf8'))
      .map((d) => d.toJSON() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null),
  );
  const wanted = (o: KubeObject) =>
    (o.kind === 'Namespace' && o.metadata.name === ns) ||
    (o.metadata.namespace === ns &&
      (['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap'].includes(o.kind) ||
        (o.kind === 'Deployment' && [app, canaryName].includes(o.metadata.name)) ||
        (o.kind === 'HTTPRoute' && o.metadata.name === app)));
  return all.filter(wanted);
}

describe.skipIf(unavailable)('the cluster traffic driver on a real API server, as the deployer', () => {
  let cluster: TestCluster;
  let deployerConfig: KubeConfig;
  const record = (overrides: Partial<RolloutRecord> = {}): RolloutRecord => ({
    id: 'r1',
    app,
    image: digest(1),
    previousImage: undefined,
    startedAt: new Date().toISOString(),
    phase: 'running',
    weight: 0,
    ...overrides,
  });
  const route = async () =>
    (await cluster.kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', app, ns)) as KubeObject;
  const deployment = async (name: string) => (await cluster.kube.get('apps/v1', 'Deployment', name, ns)) as KubeObject;
  const weights = async () =>
    Object.fromEntries(
      ((await route()).spec.rules[0].backendRefs as { name: string; weight: number }[]).map((b) => [b.name, b.weight]),
    );
  const image = async (name: string) => (await deployment(name)).spec.template.spec.containers[0].image as string;
  const recorded = async () => {
    const annotations = ((await route()).metadata.annotations ?? {}) as Record<string, string>;
    return JSON.parse(annotations[canaryGate.annotations.rollout] ?? '{}');
  };

  beforeAll(async () => {
    cluster = await startTestCluster({ count: 2, zones: 2 });
    const objects = synthesized();
    for (const o of objects.filter((x) => x.kind === 'Namespace')) await cluster.kube.applyOrThrow(o);
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) await cluster.kube.applyOrThrow(o);
    // The workflow's credential: a short-lived token of the deployer ServiceAccount, nothing else.
    const token = await cluster.kube.request(
      'POST',
      `/api/v1/namespaces/${ns}/serviceaccounts/${deployer.serviceAccountName}/token`,
      { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } } },
    );
    expect(token.status).toBe(201);
    deployerConfig = tokenKubeConfig(cluster.kube.config, {
      user: deployer.serviceAccountName,
      token: token.body.status.token,
      namespace: ns,
    });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('starts the canary on the new image, shifts the weights and records the rollout on the route', async () => {
    const driver = clusterDriver({ kubeConfig: deployerConfig, pollMs: 200, rolloutTimeoutMs: 60_000 });
    const r = record();
    await driver.start(r);
    expect(await image(canaryName)).toBe(r.image);
    expect((await deployment(canaryName)).spec.replicas).toBeGreaterThan(0);
    await driver.setWeight(r, 10);
    expect(await weights()).toEqual({ [app]: 90, [canaryName]: 10 });
    expect(await recorded()).toMatchObject({ id: 'r1', phase: 'running', weight: 10 });
    // The route keeps everything else the manifests gave it.
    expect((await route()).spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    expect(await driver.recorded(app)).toMatchObject({ id: 'r1', weight: 10 });
  }, 90_000);

  it('promotes: the new image becomes stable, weights return to stable, the canary scales to zero', async () => {
    const driver = clusterDriver({ kubeConfig: deployerConfig, pollMs: 200, rolloutTimeoutMs: 60_000 });
    await driver.promote(record({ weight: 100 }));
    expect(await image(app)).toBe(digest(1));
    expect(await weights()).toEqual({ [app]: 100, [canaryName]: 0 });
    expect((await deployment(canaryName)).spec.replicas).toBe(0);
    expect(await recorded()).toMatchObject({ phase: 'promoted', weight: 0 });
  }, 90_000);

  it('is refused a verb outside its Role', async () => {
    const client = kubeClients(deployerConfig).objects;
    const refused = async (call: () => Promise<unknown>) => {
      const error = await call().then(
        () => undefined,
        (e: { code?: number }) => e,
      );
      return error?.code;
    };
    expect(
      await refused(() =>
        client.delete({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app, namespace: ns } }),
      ),
    ).toBe(403);
    expect(await refused(() => client.list('v1', 'Secret', ns))).toBe(403);
    expect(
      await refused(() =>
        client.read({
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'postgres', namespace: namespaces.data },
        }),
      ),
    ).toBe(403);
  });

  it('reverts an interrupted rollout on a re-run, and finishes an interrupted promotion', async () => {
    const driver = clusterDriver({ kubeConfig: deployerConfig, pollMs: 200, rolloutTimeoutMs: 60_000 });
    // A gate that died at 50 %: only the objects remember.
    const r = record({ id: 'r2', image: digest(2) });
    await driver.start(r);
    await driver.setWeight(r, 50);
    expect(await weights()).toEqual({ [app]: 50, [canaryName]: 50 });
    const reverted = await recoverInterrupted(driver, app);
    expect(reverted).toMatch(/reverted the interrupted rollout/);
    expect(await weights()).toEqual({ [app]: 100, [canaryName]: 0 });
    expect((await deployment(canaryName)).spec.replicas).toBe(0);
    expect(await image(app)).toBe(digest(1));

    // A gate that died after deciding to promote: the re-run completes the promotion.
    const r3 = record({ id: 'r3', image: digest(3) });
    await driver.start(r3);
    await driver.setWeight({ ...r3, phase: 'promoting' }, 100);
    const finished = await recoverInterrupted(driver, app);
    expect(finished).toMatch(/finished the interrupted promotion/);
    await waitFor('stable on the new image', async () => ((await image(app)) === digest(3) ? true : undefined));
    expect(await weights()).toEqual({ [app]: 100, [canaryName]: 0 });
    expect(await recorded()).toMatchObject({ id: 'r3', phase: 'promoted' });
  }, 120_000);

  it('rolls back to a named digest at once (the workflow_dispatch path)', async () => {
    const driver = clusterDriver({ kubeConfig: deployerConfig, pollMs: 200, rolloutTimeoutMs: 60_000 });
    await rollbackTo(driver, app, digest(1));
    expect(await image(app)).toBe(digest(1));
    expect(await weights()).toEqual({ [app]: 100, [canaryName]: 0 });
    expect((await deployment(canaryName)).spec.replicas).toBe(0);
  }, 90_000);

  it("keeps the deploy history in the manifests' ConfigMap through the Role's get/patch on that one name", async () => {
    // The manifests' Role grants get/patch on that one ConfigMap, which they also create (without data).
    const history = clusterHistory({ kubeConfig: deployerConfig });
    const result = (id: string): RolloutResult => ({
      id,
      app,
      image: digest(1),
      source: 'test',
      driver: 'test',
      startedAt: '2026-11-30T20:00:00.000Z',
      finishedAt: '2026-11-30T20:03:00.000Z',
      outcome: 'promoted',
      reason: undefined,
      detail: 'all 3 stages passed',
      recovered: undefined,
      alerts: [],
      stages: canaryGate.stages,
      timeline: [],
    });
    await waitFor('the deployer may read the history', async () => ((await history.read()) ? true : undefined));
    await history.append(result('h1'));
    await history.append(result('h2'));
    const lines = (await history.read()).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['h1', 'h2']);
    expect(lines[0]).not.toHaveProperty('timeline');
  }, 60_000);

  it('tells when a canary that got weight stops serving: its pods no longer Ready (ADR 0103)', async () => {
    const driver = clusterDriver({ kubeConfig: deployerConfig, pollMs: 200, rolloutTimeoutMs: 60_000 });
    const r = record({ id: 'r9', image: digest(9) });
    await driver.start(r);
    await driver.setWeight(r, 10);
    expect(await driver.canaryNotReady?.(r)).toBeUndefined();
    // Its containers start dying: kwok's crash-loop Stage on the canary's pods (as admin: the deployer may not).
    for (const pod of await cluster.kube.list('v1', 'Pod', ns, `${k8sLabels.track}=canary`)) {
      await cluster.kube.request('PATCH', await cluster.kube.pathOf('v1', 'Pod', ns, pod.metadata.name), {
        body: { metadata: { labels: { [faultLabel]: faults.crashLoop } } },
        contentType: 'application/merge-patch+json',
      });
    }
    const why = await waitFor('the driver to see the canary down', async () => driver.canaryNotReady?.(r));
    expect(why).toMatch(new RegExp(`${canaryName}: 0 of 1 replicas available`));
    await driver.rollback(r);
    expect(await weights()).toEqual({ [app]: 100, [canaryName]: 0 });
    expect((await deployment(canaryName)).spec.replicas).toBe(0);
  }, 90_000);
});

/**
 * The driver's steps over in-memory `Workloads` and `Router`: the suite above runs them against the real API
 * server; this one checks what the server cannot show afterwards, the ORDER of the writes (stable rolled out
 * before the weights return, weights at 0 before the canary scales down) and how each step stops.
 */
describe('the cluster driver steps over the Workloads and Router interfaces', () => {
  type Rollout = 'rolls-out' | 'stuck' | 'never';
  const container = apps[app].name;
  const deadline = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'timed out' };
  const fake = (behaviour: Partial<Record<string, Rollout>> = {}, failReadsAfterApply?: string) => {
    const writes: string[] = [];
    const applied = new Set<string>();
    const specs = new Map<string, { image: string; replicas: number | undefined }>([
      [app, { image: digest(0), replicas: undefined }],
      [canaryName, { image: digest(0), replicas: 0 }],
    ]);
    let record: RolloutRecord | undefined;
    const workloads: Workloads = {
      async read(name) {
        if (name === failReadsAfterApply && applied.has(name)) throw new Error(`deployments "${name}" is forbidden`);
        const spec = specs.get(name);
        if (!spec) throw new Error(`no deployment ${name}`);
        const want = spec.replicas ?? 1;
        const how = behaviour[name] ?? 'rolls-out';
        return {
          metadata: { name, generation: 1 },
          spec: {
            ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
            selector: {},
            template: { spec: { containers: [{ name: container, image: spec.image }] } },
          },
          status:
            how === 'rolls-out'
              ? { observedGeneration: 1, updatedReplicas: want, availableReplicas: want }
              : { observedGeneration: 1, availableReplicas: 0, ...(how === 'stuck' ? { conditions: [deadline] } : {}) },
        } satisfies V1Deployment;
      },
      async apply(name, fields) {
        expect(fields.container).toBe(container);
        applied.add(name);
        specs.set(name, { image: fields.image, replicas: fields.replicas ?? specs.get(name)?.replicas });
        writes.push(`${name}: ${fields.image}${fields.replicas !== undefined ? ` x${fields.replicas}` : ''}`);
      },
    };
    const router: Router = {
      recorded: async () => record,
      async setRoutes(r, weight) {
        record = { ...r, weight };
        writes.push(`route: ${r.phase} canary ${weight}`);
      },
    };
    const driver = canaryDriver({ description: 'in memory', workloads, router, rolloutTimeoutMs: 200, pollMs: 10 });
    return { driver, writes, recorded: () => record };
  };
  const r = (overrides: Partial<RolloutRecord> = {}): RolloutRecord => ({
    id: 's1',
    app,
    image: digest(1),
    previousImage: undefined,
    startedAt: '2026-12-06T05:00:00.000Z',
    phase: 'running',
    weight: 0,
    ...overrides,
  });

  it("start records stable's image at weight 0, then starts the canary on the new image", async () => {
    const { driver, writes, recorded } = fake();
    await driver.start(r());
    expect(writes).toEqual(['route: running canary 0', `${canaryName}: ${digest(1)} x${apps[app].replicas.min - 1}`]);
    expect(recorded()).toMatchObject({ previousImage: digest(0), weight: 0 });
  });

  it('start gives up with CanaryNotReadyError once the controller declares the canary stuck', async () => {
    const { driver } = fake({ [canaryName]: 'stuck' });
    const error = await driver.start(r()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanaryNotReadyError);
    expect((error as Error).message).toMatch(
      /never became ready: 0 of 1 available, .*ProgressDeadlineExceeded: timed out/,
    );
  });

  it('start gives up after rolloutTimeoutMs when the canary only never progresses', async () => {
    const { driver } = fake({ [canaryName]: 'never' });
    await expect(driver.start(r())).rejects.toThrow(/never became ready: 0 of 1 available after 200 ms/);
  });

  it('a read refused while waiting ends the wait at once with that error (not retried into a timeout)', async () => {
    const { driver } = fake({ [canaryName]: 'never' }, canaryName);
    const error = await driver.start(r()).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toBe(`deployments "${canaryName}" is forbidden`);
  });

  it('promote: stable rolls out the new image while the canary keeps its weight; then weights, then scale-down', async () => {
    const { driver, writes, recorded } = fake();
    await driver.start(r());
    writes.length = 0;
    await driver.promote(r({ weight: 100 }));
    expect(writes).toEqual([
      'route: promoting canary 100',
      `${app}: ${digest(1)}`,
      'route: promoting canary 0',
      `${canaryName}: ${digest(1)} x0`,
      'route: promoted canary 0',
    ]);
    expect(recorded()).toMatchObject({ phase: 'promoted', weight: 0 });
  });

  it('promote leaves the record in promoting, weight kept, when stable does not roll out', async () => {
    const { driver, writes, recorded } = fake({ [app]: 'stuck' });
    await expect(driver.promote(r({ weight: 100 }))).rejects.toThrow(
      new RegExp(`deployment ${app} did not roll out .*ProgressDeadlineExceeded`),
    );
    expect(writes).toEqual(['route: promoting canary 100', `${app}: ${digest(1)}`]);
    expect(recorded()).toMatchObject({ phase: 'promoting', weight: 100 });
  });

  it('rollback: weights to stable before the canary scales to zero', async () => {
    const { driver, writes } = fake();
    await driver.start(r());
    writes.length = 0;
    await driver.rollback(r({ weight: 10 }));
    expect(writes).toEqual([
      'route: rolling-back canary 0',
      `${canaryName}: ${digest(1)} x0`,
      'route: rolled-back canary 0',
    ]);
  });
});
