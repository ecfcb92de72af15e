import type { KubeObject } from './manifests.ts';

/** The Kubernetes provider's annotation that replaces its default readiness check with a condition to wait for. */
export const waitForAnnotation = 'pulumi.com/waitFor';
/** The provider's annotation that makes it wait for nothing but the API server's acceptance. */
export const skipAwaitAnnotation = 'pulumi.com/skipAwait';

const annotate = (object: KubeObject, annotations: Record<string, string>): KubeObject => ({
  ...object,
  metadata: {
    ...object.metadata,
    annotations: { ...((object.metadata.annotations ?? {}) as Record<string, string>), ...annotations },
  },
});

const isSuspendedJob = (object: KubeObject) =>
  object.apiVersion === 'batch/v1' &&
  object.kind === 'Job' &&
  (object.spec as { suspend?: boolean } | undefined)?.suspend === true;

interface WorkloadSpec {
  readonly replicas?: number;
  readonly template?: { readonly metadata?: { readonly labels?: Record<string, string> } };
}
const workloadKinds = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

/** The workloads in the Service's namespace whose pods its selector selects. */
const selectedWorkloads = (service: KubeObject, objects: readonly KubeObject[]) => {
  const selector = Object.entries((service.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {});
  if (selector.length === 0) return [];
  return objects.filter((o) => {
    if (!workloadKinds.has(o.kind) || o.metadata.namespace !== service.metadata.namespace) return false;
    const labels = (o.spec as WorkloadSpec | undefined)?.template?.metadata?.labels ?? {};
    return selector.every(([key, value]) => labels[key] === value);
  });
};

/**
 * What `pulumi up` should wait for, where the provider's default can never be met (ADR 0065):
 * - A Job created with `suspend: true` (the on-demand postgres-restore) never completes, and the default Job check
 *   waits for completion until the update times out. `pulumi.com/skipAwait` would stop that but check nothing;
 *   waiting for the `Suspended` condition still proves the Job controller accepted and holds it.
 * - A Service waits until it has a ready endpoint. A canary Service selects only a workload at `replicas: 0`
 *   until the deploy scales it, so it has none by design: its wait is skipped. (A Service that selects no
 *   workload at all keeps the wait: that is a wrong selector, and the timeout should say so.)
 * Every other object is returned unchanged (the same reference).
 */
export function withAwaitPolicies(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((object) => {
    if (isSuspendedJob(object)) return annotate(object, { [waitForAnnotation]: 'condition=Suspended' });
    if (object.apiVersion === 'v1' && object.kind === 'Service') {
      const selected = selectedWorkloads(object, objects);
      if (selected.length > 0 && selected.every((w) => (w.spec as WorkloadSpec).replicas === 0)) {
        return annotate(object, { [skipAwaitAnnotation]: 'true' });
      }
    }
    return object;
  });
}
