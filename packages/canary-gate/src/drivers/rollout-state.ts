import type { V1Deployment } from '@kubernetes/client-node';

/**
 * Where a Deployment's rollout of `image` stands: `rolled-out`; `stuck` with why, once the Deployment controller
 * has declared it so; `progressing` (how many of how many replicas are available) while neither.
 */
export type RolloutState =
  | { readonly kind: 'rolled-out' }
  | { readonly kind: 'stuck'; readonly why: string }
  | { readonly kind: 'progressing'; readonly available: number; readonly want: number };

export function rolloutState(deployment: V1Deployment, image: string): RolloutState {
  const s = deployment.status ?? {};
  const want = deployment.spec?.replicas ?? 1;
  const available = s.availableReplicas ?? 0;
  const imageSet = deployment.spec?.template.spec?.containers.some((c) => c.image === image) ?? false;
  // Only a status that has seen this spec counts: a condition left from an earlier rollout says nothing yet.
  const observed = (s.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  if (imageSet && observed && (s.updatedReplicas ?? 0) >= want && available >= want) return { kind: 'rolled-out' };
  // The Deployment controller's own verdict (what KubeDeploymentRolloutStuck alerts on): no need to wait longer.
  const stuck = s.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  if (imageSet && observed && stuck) {
    return {
      kind: 'stuck',
      why: `${available} of ${want} available, Progressing=False ProgressDeadlineExceeded: ${stuck.message ?? ''}`,
    };
  }
  return { kind: 'progressing', available, want };
}
