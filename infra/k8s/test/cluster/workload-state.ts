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

/**
 * Why the pods of a Deployment or StatefulSet do not yet match it, or undefined when they do: exactly the wanted
 * number of pods that are not terminating, every one Running and Ready, none on `avoidNodes`. Read from the pods
 * themselves, not the controllers' status: right after an eviction a Deployment's status still counts the evicted
 * pod as available until its ReplicaSet controller catches up, which under load is seconds later (the drain test
 * read that stale status, found one Running pod and reported a spread of one node).
 */
export async function podsUnsettled(
  kube: Kube,
  o: KubeObject,
  minReplicas = 0,
  avoidNodes: readonly string[] = [],
): Promise<string | undefined> {
  if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') return undefined;
  const l = await live(kube, o);
  const id = `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
  if (!l) return `${id} missing`;
  const want = Math.max(l.spec.replicas ?? 1, minReplicas);
  const pods = (await podsSelected(kube, o.metadata.namespace ?? '', o.spec.selector.matchLabels)).filter(
    (p) => !p.metadata.deletionTimestamp,
  );
  const ready = pods.filter((p) => p.status?.phase === 'Running' && podReady(p));
  const misplaced = pods.filter((p) => avoidNodes.includes(p.spec.nodeName));
  if (pods.length !== want || ready.length !== want)
    return `${id}: ${ready.length}/${pods.length} pods Ready, want ${want}`;
  if (misplaced.length) return `${id}: ${misplaced.map((p) => p.metadata.name).join(', ')} still on ${avoidNodes}`;
  return undefined;
}

/**
 * Waits until every workload of `objects` is settled by its status (waitSettled) and by its pods (podsUnsettled):
 * a condition, however long the machine's load makes it take, up to `timeoutMs`.
 */
export const waitPodsSettled = async (
  kube: Kube,
  objects: readonly KubeObject[],
  options: { timeoutMs?: number; avoidNodes?: readonly string[] } = {},
) => {
  const timeoutMs = options.timeoutMs ?? 120_000;
  await waitSettled(kube, objects, timeoutMs);
  await waitFor(
    'every workload with its pods Ready',
    async () => {
      const mins = hpaMinimums(objects);
      const problems = (
        await Promise.all(
          objects.map((o) =>
            podsUnsettled(kube, o, mins.get(`${o.metadata.namespace}/${o.metadata.name}`) ?? 0, options.avoidNodes),
          ),
        )
      ).filter(Boolean);
      if (problems.length) throw new Error(problems.join('; '));
      return true;
    },
    { timeoutMs },
  );
};

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
 * after cordoning it, and returns once no pod is left on the node, terminating ones included: what `kubectl drain`
 * does. Returns the refusals seen on the way.
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
      const remaining = (await kube.list('v1', 'Pod')).filter(
        (p) => p.spec.nodeName === node && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
      );
      // Terminating pods are waited for, not evicted again.
      for (const p of remaining.filter((x) => !x.metadata.deletionTimestamp)) {
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
      return remaining.length === 0 ? true : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
  return refusals;
}

/** Taints that keep new pods off a node (the node lifecycle controller adds them to a node whose heartbeat is late). */
const blockingTaint = (t: { effect?: string }) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

/** Waits until every node of `nodes` is Ready, untainted and not cordoned: a placement then has them all. */
export const waitNodesSchedulable = (kube: Kube, nodes: readonly string[], timeoutMs = 180_000) =>
  waitFor(
    `nodes ${nodes.join(', ')} Ready and schedulable`,
    async () => {
      const problems = (await kube.list('v1', 'Node'))
        .filter((n) => nodes.includes(n.metadata.name))
        .flatMap((n) => {
          const ready = (n.status?.conditions ?? []).find((c: Condition) => c.type === 'Ready');
          const taints = (n.spec.taints ?? []).filter(blockingTaint).map((t: { key: string }) => t.key);
          return [
            ...(ready?.status === 'True' ? [] : [`${n.metadata.name} not Ready`]),
            ...(taints.length ? [`${n.metadata.name} tainted ${taints.join(', ')}`] : []),
            ...(n.spec.unschedulable ? [`${n.metadata.name} cordoned`] : []),
          ];
        });
      if (problems.length) throw new Error(problems.join('; '));
      return true;
    },
    { timeoutMs },
  );

/** Sets `spec.unschedulable` of each node (cordon / uncordon). */
export const setUnschedulable = (kube: Kube, nodes: readonly string[], unschedulable: boolean) =>
  Promise.all(
    nodes.map((name) =>
      kube.call('PATCH', `/api/v1/nodes/${name}`, {
        body: { spec: { unschedulable } },
        contentType: 'application/merge-patch+json',
      }),
    ),
  );
