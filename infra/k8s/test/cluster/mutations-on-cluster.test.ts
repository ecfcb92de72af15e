import type { KubeObject } from '@homelab/cluster';
import { clusterUnavailable, startTestCluster, type TestCluster } from '@homelab/cluster/testing';
import { namespaces, tls } from '@homelab/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneObjects, loadManifests } from '../../src/manifests.ts';
import { failingGuards } from '../guards.ts';
import { mutations } from '../mutations.ts';
import { expectedServerVerdicts } from '../server-verdicts.ts';
import { serverVerdict } from './server-verdict.ts';

/**
 * Every mutation case also goes to the real API server: the table shows, per case, whether the server would have
 * refused it anyway (a second line of defence) or accepted it (only the offline proof stands between the change and
 * the cluster). Either way the offline proof must catch it.
 */
const unavailable = clusterUnavailable();
const manifests = loadManifests();

describe.skipIf(unavailable)('the mutation cases against the real API server', () => {
  let cluster: TestCluster;
  const table: string[] = [];
  beforeAll(async () => {
    cluster = await startTestCluster({ count: 3, zones: 3 });
    for (const name of [tls.certManagerNamespace, namespaces.monitoring]) {
      await cluster.kube.applyOrThrow({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    const ordered = [...manifests].sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
    for (const o of ordered) await cluster.kube.applyOrThrow(o as KubeObject);
  }, 180_000);
  afterAll(async () => {
    if (table.length) process.stdout.write(`\n[cluster] server verdicts on the mutation cases\n${table.join('\n')}\n`);
    await cluster?.stop();
  }, 60_000);

  it('has an expected server verdict for every mutation case', () => {
    expect(Object.keys(expectedServerVerdicts).sort()).toEqual(mutations.map((m) => m.name).sort());
  });

  for (const mutation of mutations) {
    it(`${mutation.name}: the server verdict is known and the offline proof catches it`, async () => {
      const { verdict, details } = await serverVerdict(cluster.kube, manifests, mutation);
      table.push(`  ${verdict.padEnd(8)} ${mutation.name}${details.length ? `  (${details[0]?.slice(0, 140)})` : ''}`);
      expect({ verdict, details }).toMatchObject({ verdict: expectedServerVerdicts[mutation.name] });
      const mutated = cloneObjects(manifests);
      mutation.apply(mutated);
      expect(Object.keys(failingGuards(mutated))).toEqual(expect.arrayContaining([...mutation.caughtBy]));
    });
  }
});
