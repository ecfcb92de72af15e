import type { Kube, KubeObject } from '@homelab/cluster';
import { cloneObjects, type K8sObject, objectId } from '../../src/manifests.ts';
import type { Mutation } from '../mutations.ts';

/** What the API server does with a mutated manifest: refuses it, accepts it with a warning, or accepts it silently. */
export type Verdict = 'refused' | 'warned' | 'accepted';

export interface ServerVerdict {
  readonly verdict: Verdict;
  readonly details: string[];
}

/**
 * Applies `mutation` to a copy of `objects` and sends every object it changed to the server as a strict
 * server-side-apply dry-run against the live (unmutated) objects, so immutable fields count. Objects the mutation
 * removed have no server verdict: deleting an object is always allowed.
 */
export async function serverVerdict(
  kube: Kube,
  objects: readonly K8sObject[],
  mutation: Mutation,
): Promise<ServerVerdict> {
  const before = new Map(objects.map((o) => [objectId(o), JSON.stringify(o)]));
  const mutated = cloneObjects(objects);
  mutation.apply(mutated);
  const changed = mutated.filter((o) => before.get(objectId(o)) !== JSON.stringify(o));
  const details: string[] = [];
  let verdict: Verdict = 'accepted';
  for (const o of changed) {
    const res = await kube.apply(o as KubeObject, { dryRun: true });
    if (res.status >= 400) {
      verdict = 'refused';
      details.push(`${objectId(o)}: ${res.status} ${res.body?.message ?? ''}`);
    } else if (res.warnings.length) {
      if (verdict === 'accepted') verdict = 'warned';
      details.push(`${objectId(o)}: ${res.warnings.join('; ')}`);
    }
  }
  return { verdict, details };
}
