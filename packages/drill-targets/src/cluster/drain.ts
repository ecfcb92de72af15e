import type { Kube, KubeObject } from '@homelab/cluster';
import { apps } from '@homelab/platform';
import { apiPods, podPath } from './pod-actions.ts';

/**
 * `kubectl drain` of the node running the oldest api pod, under a PodDisruptionBudget that allows no disruption
 * (minAvailable = the api's minimum replicas). The cordon and each eviction go through the real API; the eviction
 * API answers 429 while the PDB would be broken, and the drain retries like kubectl does until capacity exists.
 */
export class Drain {
  node: string | undefined;
  refusals = 0;
  evicted: string[] = [];
  completedAt: number | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;

  private readonly kube: Kube;
  private readonly namespace: string;

  constructor(kube: Kube, namespace: string) {
    this.kube = kube;
    this.namespace = namespace;
  }

  pdb(): KubeObject {
    return {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: apps.api.name, namespace: this.namespace },
      spec: {
        minAvailable: apps.api.replicas.min,
        selector: { matchLabels: { 'app.kubernetes.io/name': apps.api.name } },
      },
    };
  }

  async start(): Promise<void> {
    await this.kube.applyOrThrow(this.pdb());
    const pods = (await apiPods(this.kube, this.namespace)).filter((p) => p.node).sort((a, b) => a.created - b.created);
    this.node = pods[0]?.node;
    if (!this.node) throw new Error('no scheduled api pod: nothing to drain');
    await this.cordon(true);
    const node = this.node;
    this.loop = (async () => {
      for (;;) {
        const left = (await apiPods(this.kube, this.namespace)).filter((p) => p.node === node && !p.deleting);
        if (left.length === 0) break;
        for (const pod of left) {
          if (this.stopped) return;
          const res = await this.kube.request(
            'POST',
            `${await podPath(this.kube, this.namespace, pod.name)}/eviction`,
            {
              body: {
                apiVersion: 'policy/v1',
                kind: 'Eviction',
                metadata: { name: pod.name, namespace: this.namespace },
              },
            },
          );
          if (res.status === 429) this.refusals++;
          else if (res.status < 300) this.evicted.push(pod.name);
          else if (res.status !== 404) throw new Error(`eviction of ${pod.name}: HTTP ${res.status}`);
        }
        if (this.stopped) return;
        // kubectl drain retries a refused eviction every 5 s; faster here to keep the drill short.
        await new Promise((r) => setTimeout(r, 500));
      }
      this.completedAt = Date.now();
    })();
  }

  /** Waits for the drain to finish (or gives up after `timeoutMs`), then uncordons and removes the PDB. */
  async finish(timeoutMs: number): Promise<void> {
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    const outcome = await Promise.race([this.loop?.then(() => 'done' as const), timeout]);
    this.stopped = true;
    await this.loop?.catch(() => undefined);
    if (this.node) await this.cordon(false);
    await this.kube.request(
      'DELETE',
      await this.kube.pathOf('policy/v1', 'PodDisruptionBudget', this.namespace, apps.api.name),
    );
    if (outcome === 'timeout') throw new Error(`the drain of ${this.node} did not finish in ${timeoutMs / 1000} s`);
  }

  private async cordon(unschedulable: boolean) {
    await this.kube.call('PATCH', await this.kube.pathOf('v1', 'Node', undefined, this.node), {
      body: { spec: { unschedulable: unschedulable ? true : null } },
      contentType: 'application/merge-patch+json',
    });
  }

  summary(): string {
    return `drain of node ${this.node ?? '?'}: ${this.refusals} eviction(s) refused (429, PDB minAvailable ${apps.api.replicas.min}), evicted ${this.evicted.join(', ') || 'none'}${this.completedAt ? '' : ', not finished'}`;
  }
}
