import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { faultLabel, faults, type KubeObject, kubeClients, tokenKubeConfig, waitFor } from '@homelab/cluster';
import { clusterUnavailable, startTestCluster, type TestCluster } from '@homelab/cluster/testing';
import type { RolloutResult } from '@homelab/deploy-report';
import {
  type AppName,
  apiImplementationOf,
  apiImplementations,
  canary,
  canaryGate,
  deployer,
  k8sLabels,
  namespaces,
} from '@homelab/platform';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { recoverInterrupted, rollbackTo } from '../rollout/run-rollout.ts';
import { clusterDriver } from './cluster-driver.ts';
import { clusterHistory } from './cluster-history.ts';
import type { RolloutRecord } from './traffic-driver.ts';

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
    // The raw client of the same set sends the same token: the route it may read, Secrets it may not list.
    const raw = await kubeClients(deployerConfig).openRaw();
    try {
      expect(
        (await raw.request('GET', `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes/${app}`)).status,
      ).toBe(200);
      expect((await raw.request('GET', `/api/v1/namespaces/${ns}/secrets`)).status).toBe(403);
    } finally {
      await raw.close();
    }
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

  it('switches the api from TypeScript to Go and back: the image alone says which (ADR 0151)', async () => {
    // kwok nodes run no container: this shows what the control plane does with the switch (the pod template, the
    // ReplicaSet, the scheduled pod, the rollout the gate waits for); packages/images starts the Go image itself.
    const driver = clusterDriver({ kubeConfig: deployerConfig, pollMs: 200, rolloutTimeoutMs: 60_000 });
    const stableTs = await image(app);
    expect(apiImplementationOf(stableTs)).toBe('ts');
    const goImage = `registry.example/homelab/${apiImplementations.go.imageName}@sha256:${'7'.repeat(64)}`;
    const r = record({ id: 'go1', image: goImage });
    await driver.start(r);
    const container = async (name: string) => (await deployment(name)).spec.template.spec.containers[0];
    const canaryContainer = await container(canaryName);
    expect(canaryContainer.image).toBe(goImage);
    // The Go image's entrypoint serves (/app/api), on the same ConfigMap and Secrets as the TypeScript stable.
    expect(canaryContainer.command).toBeUndefined();
    expect(canaryContainer.args).toBeUndefined();
    const stableContainer = await container(app);
    expect(canaryContainer.envFrom).toEqual(stableContainer.envFrom);
    expect(canaryContainer.volumeMounts).toEqual(stableContainer.volumeMounts);
    await waitFor('a scheduled, running Go canary pod', async () =>
      (await cluster.kube.list('v1', 'Pod', ns, `${k8sLabels.track}=canary`)).find((pod) =>
        pod.spec.containers[0].image === goImage && pod.spec.nodeName && pod.status?.phase === 'Running'
          ? pod
          : undefined,
      ),
    );
    await driver.setWeight(r, 50);
    expect(await weights()).toEqual({ [app]: 50, [canaryName]: 50 });
    await driver.promote({ ...r, weight: 100 });
    expect(apiImplementationOf(await image(app))).toBe('go');
    expect(await weights()).toEqual({ [app]: 100, [canaryName]: 0 });
    expect(await recorded()).toMatchObject({ id: 'go1', phase: 'promoted' });
    // And back to the TypeScript image at once (the workflow's rollback), through the same driver.
    await rollbackTo(driver, app, stableTs);
    expect(await image(app)).toBe(stableTs);
    expect(apiImplementationOf(await image(app))).toBe('ts');
  }, 120_000);
});
