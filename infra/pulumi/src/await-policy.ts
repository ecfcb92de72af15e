import type { KubeObject } from './manifests.ts';

/** The Kubernetes provider's annotation that replaces its default readiness check with a condition to wait for. */
export const waitForAnnotation = 'pulumi.com/waitFor';

/**
 * What `pulumi up` should wait for, where the provider's default is wrong for an object. A Job created with
 * `suspend: true` (the on-demand postgres-restore) never completes, and the default Job check waits for
 * completion until the update times out; `pulumi.com/skipAwait` would stop that but also stop checking anything.
 * Waiting for the `Suspended` condition still proves the Job controller accepted it and holds it, as intended.
 * Other objects are returned unchanged (the same reference).
 */
export function withAwaitPolicy(object: KubeObject): KubeObject {
  const suspendedJob =
    object.apiVersion === 'batch/v1' &&
    object.kind === 'Job' &&
    (object.spec as { suspend?: boolean } | undefined)?.suspend === true;
  if (!suspendedJob) return object;
  const annotations = (object.metadata.annotations ?? {}) as Record<string, string>;
  return {
    ...object,
    metadata: { ...object.metadata, annotations: { ...annotations, [waitForAnnotation]: 'condition=Suspended' } },
  };
}
