import type { Kube, KubeObject } from '@homelab/cluster';
import { waitFor } from '@homelab/cluster';

type Condition = { type: string; status: string };
const hasCondition = (o: KubeObject | undefined, type: string) =>
  Boolean(o?.status?.conditions?.some((c: Condition) => c.type === type && c.status === 'True'));

export const podReady = (pod: KubeObject): boolean => hasCondition(pod, 'Ready');

/** The live object of a manifest. */
export const live = async (kube: Kube, o: KubeObject) =>
  kube.get(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace);

/**
 * Why a workload is not settled yet, or undefined when it is: Deployments Available (and, under an HPA, at least
 * its minReplicas: a fresh Deployment starts at 1 until the HPA's first sync), StatefulSets Ready, Jobs Complete.
 */
export async function unsettled(kube: Kube, o: KubeObject, minReplicas = 0): Promise<string | undefined> {
  const l = await live(kube, o);
  const id = `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
  if (!l) return `${id} missing`;
  const s = l.status ?? {};
  switch (o.kind) {
    case 'Deployment': {
      const want = l.spec.replicas ?? 1;
      if (want < minReplicas) return `${id} at ${want} replicas, below its HPA minimum ${minReplicas}`;
      if (s.observedGeneration !== l.metadata.generation) return `${id} not observed`;
      if ((s.updatedReplicas ?? 0) !== want || (s.availableReplicas ?? 0) !== want || (s.replicas ?? 0) !== want)
        return `${id} ${s.availableReplicas ?? 0}/${want} available`;
      return want > 0 && !hasCondition(l, 'Available') ? `${id} not Available` : undefined;
    }
    case 'StatefulSet': {
      const want = l.spec.replicas ?? 1;
      return (s.readyReplicas ?? 0) === want && (s.currentReplicas ?? 0) === want
        ? undefined
        : `${id} ${s.readyReplicas ?? 0}/${want} ready`;
    }
    case 'Job':
      if (l.spec.suspend) return undefined;
      return hasCondition(l, 'Complete') ? undefined : `${id} not Complete`;
    default:
      return undefined;
  }
}

/** The HPA minimum of each Deployment an HPA of `objects` scales, by namespace/name. */
const hpaMinimums = (objects: readonly KubeObject[]) =>
  new Map(
    objects
      .filter((o) => o.kind === 'HorizontalPodAutoscaler')
      .map((h) => [`${h.metadata.namespace}/${h.spec.scaleTargetRef.name}`, (h.spec.minReplicas ?? 1) as number]),
  );

/** Waits until every Deployment, StatefulSet and (unsuspended) Job of `objects` is settled. */
export const waitSettled = (kube: Kube, objects: readonly KubeObject[], timeoutMs = 60_000) =>
  waitFor(
    'workloads settled',
    async () => {
      const mins = hpaMinimums(objects);
      const problems = (
        await Promise.all(
          objects.map((o) => unsettled(kube, o, mins.get(`${o.metadata.namespace}/${o.metadata.name}`) ?? 0)),
        )
      ).filter(Boolean);
      if (problems.length) throw new Error(problems.join('; '));
      return true;
    },
    { timeoutMs },
  );

/** Pods of a namespace whose labels match every pair of `selector`. */
export async function podsSelected(kube: Kube, namespace: string, selector: Record<string, string>) {
  const labelSelector = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return kube.list('v1', 'Pod', namespace, labelSelector);
}

/** The pod names behind a Service's EndpointSlices (ready endpoints only). */
export async function endpointPods(kube: Kube, service: KubeObject): Promise<string[]> {
  const slices = await kube.list(
    'discovery.k8s.io/v1',
    'EndpointSlice',
    service.metadata.namespace,
    `kubernetes.io/service-name=${service.metadata.name}`,
  );
  return slices
    .flatMap((s) => s.endpoints ?? [])
    .filter((e: { conditions?: { ready?: boolean } }) => e.conditions?.ready)
    .map((e: { targetRef?: { name: string } }) => e.targetRef?.name ?? '')
    .sort();
}

/**
 * Evicts every pod of `node` through the Eviction API (PDBs honoured: a 429 is retried until the budget allows),
 * after cordoning it: what `kubectl drain` does. Returns the refusals seen on the way.
 */
export async function drain(kube: Kube, node: string, timeoutMs = 60_000): Promise<number> {
  await kube.call('PATCH', `/api/v1/nodes/${node}`, {
    body: { spec: { unschedulable: true } },
    contentType: 'application/merge-patch+json',
  });
  let refusals = 0;
  await waitFor(
    `node ${node} drained`,
    async () => {
      const pods = (await kube.list('v1', 'Pod')).filter(
        (p) => p.spec.nodeName === node && !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded',
      );
      for (const p of pods) {
        const res = await kube.request(
          'POST',
          `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/eviction`,
          {
            body: {
              apiVersion: 'policy/v1',
              kind: 'Eviction',
              metadata: { name: p.metadata.name, namespace: p.metadata.namespace },
            },
          },
        );
        // 429: a PDB refuses for now; 409: the PDB's status changed under a concurrent eviction. Both are retried,
        // as kubectl drain does; 404: the pod went away meanwhile.
        if (res.status === 429 || res.status === 409) refusals++;
        else if (res.status >= 400 && res.status !== 404)
          throw new Error(`evict ${p.metadata.name}: ${res.status} ${res.body?.message ?? ''}`);
      }
      return pods.length === 0 ? true : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
  return refusals;
}
