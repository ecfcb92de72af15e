import { faultLabel, faults, type Kube, type KubeObject } from '@homelab/cluster';
import { apps } from '@homelab/platform';

/** The pods of the drill's api Deployment, as the API lists them. */
export interface ApiPod {
  readonly name: string;
  readonly node: string | undefined;
  readonly created: number;
  readonly ready: boolean;
  readonly deleting: boolean;
}

type PodObject = KubeObject & {
  metadata: { name: string; creationTimestamp?: string; deletionTimestamp?: string };
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { state?: { waiting?: { reason?: string; message?: string } } }[];
  };
};

export const apiSelector = `app.kubernetes.io/name=${apps.api.name}`;

export async function apiPods(kube: Kube, namespace: string): Promise<ApiPod[]> {
  const pods = (await kube.list('v1', 'Pod', namespace, apiSelector)) as PodObject[];
  return pods.map((p) => ({
    name: p.metadata.name,
    node: p.spec?.nodeName,
    created: Date.parse(p.metadata.creationTimestamp ?? '') || 0,
    ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    deleting: p.metadata.deletionTimestamp !== undefined,
  }));
}

/**
 * Why the api pods are not Ready, one `name: reason (message)` each: at home the usual answer is ErrImagePull or
 * ImagePullBackOff (the node cannot get the api image), which a timeout alone would not say.
 */
export async function apiPodProblems(kube: Kube, namespace: string): Promise<string> {
  const pods = (await kube.list('v1', 'Pod', namespace, apiSelector)) as PodObject[];
  if (pods.length === 0) return 'no api pods (see the ReplicaSet events: kubectl -n drills get events)';
  return pods
    .map((p) => {
      const waiting = p.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting;
      const why = waiting
        ? `${waiting.reason ?? 'Waiting'}${waiting.message ? ` (${waiting.message})` : ''}`
        : undefined;
      return `${p.metadata.name}: ${why ?? p.status?.phase ?? 'no status'}`;
    })
    .join('; ');
}

export async function podPath(kube: Kube, namespace: string, name: string): Promise<string> {
  return kube.pathOf('v1', 'Pod', namespace, name);
}

/** `kubectl delete pod`: the oldest ready api pod, so the ReplicaSet has something to replace. */
export async function deleteOnePod(kube: Kube, namespace: string): Promise<string> {
  const victim = (await apiPods(kube, namespace))
    .filter((p) => p.ready && !p.deleting)
    .sort((a, b) => a.created - b.created)[0];
  if (!victim) throw new Error('no ready api pod to delete');
  await kube.call('DELETE', await podPath(kube, namespace, victim.name));
  return victim.name;
}

/**
 * Labels every running api pod with a kwok fault, so kwok writes what a kubelet would for containers that keep
 * dying (CrashLoopBackOff, lastState Error or OOMKilled, restartCount). The pods stay owned by their ReplicaSet:
 * the label is outside the selector.
 */
export async function labelFault(kube: Kube, namespace: string, fault: (typeof faults)[keyof typeof faults]) {
  for (const pod of await apiPods(kube, namespace)) {
    if (pod.deleting) continue;
    await kube.call('PATCH', await podPath(kube, namespace, pod.name), {
      body: { metadata: { labels: { [faultLabel]: fault } } },
      contentType: 'application/merge-patch+json',
    });
  }
}

/**
 * The operator's fix for a crash loop here: delete the failing pods (`kubectl delete pod -l …`, or the rollback that
 * replaces them); the ReplicaSet creates healthy ones without the fault label.
 */
export async function deleteFaultedPods(kube: Kube, namespace: string): Promise<void> {
  const pods = (await kube.list('v1', 'Pod', namespace, `${apiSelector},${faultLabel}`)) as PodObject[];
  for (const p of pods) {
    const res = await kube.request('DELETE', await podPath(kube, namespace, p.metadata.name));
    if (res.status >= 400 && res.status !== 404) throw new Error(`DELETE pod ${p.metadata.name}: HTTP ${res.status}`);
  }
}

export { faults };
