import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { rolloutState } from './rollout-state.ts';

const image = 'registry.example/homelab/api@sha256:new';
const deployment = (over: {
  image?: string;
  replicas?: number;
  generation?: number;
  status?: V1Deployment['status'];
}): V1Deployment => ({
  metadata: { name: 'api-canary', generation: over.generation ?? 2 },
  spec: {
    ...(over.replicas !== undefined ? { replicas: over.replicas } : {}),
    selector: {},
    template: { spec: { containers: [{ name: 'api', image: over.image ?? image }] } },
  },
  ...(over.status ? { status: over.status } : {}),
});
const deadline = {
  type: 'Progressing',
  status: 'False',
  reason: 'ProgressDeadlineExceeded',
  message: 'ReplicaSet "api-canary-1" has timed out progressing.',
};

describe('rolloutState: what the Deployment controller says about a rollout', () => {
  it.each([
    {
      case: 'all replicas updated and available on a status that saw this spec',
      d: deployment({ replicas: 2, status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 } }),
      want: { kind: 'rolled-out' },
    },
    {
      case: 'replicas unset counts as one',
      d: deployment({ status: { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 1 } }),
      want: { kind: 'rolled-out' },
    },
    {
      case: 'available but not yet updated',
      d: deployment({ replicas: 2, status: { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 2 } }),
      want: { kind: 'progressing', available: 2, want: 2 },
    },
    {
      case: 'a status older than the spec, even one that looks done',
      d: deployment({
        replicas: 1,
        generation: 3,
        status: { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 1 },
      }),
      want: { kind: 'progressing', available: 1, want: 1 },
    },
    {
      case: 'another image in the template',
      d: deployment({ image: 'old', status: { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 1 } }),
      want: { kind: 'progressing', available: 1, want: 1 },
    },
    {
      case: 'no status yet',
      d: deployment({ replicas: 1 }),
      want: { kind: 'progressing', available: 0, want: 1 },
    },
    {
      case: 'ProgressDeadlineExceeded on this spec',
      d: deployment({ replicas: 1, status: { observedGeneration: 2, availableReplicas: 0, conditions: [deadline] } }),
      want: {
        kind: 'stuck',
        why: `0 of 1 available, Progressing=False ProgressDeadlineExceeded: ${deadline.message}`,
      },
    },
    {
      case: 'ProgressDeadlineExceeded left from the previous spec',
      d: deployment({ replicas: 1, generation: 3, status: { observedGeneration: 2, conditions: [deadline] } }),
      want: { kind: 'progressing', available: 0, want: 1 },
    },
  ])('$case', ({ d, want }) => {
    expect(rolloutState(d, image)).toEqual(want);
  });
});
