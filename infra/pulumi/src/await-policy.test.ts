import { describe, expect, it } from 'vitest';
import { skipAwaitAnnotation, waitForAnnotation, withAwaitPolicies } from './await-policy.ts';
import type { KubeObject } from './manifests.ts';

const deployment = (name: string, labels: Record<string, string>, replicas?: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'apps' },
  spec: { ...(replicas === undefined ? {} : { replicas }), template: { metadata: { labels } } },
});
const service = (name: string, selector: Record<string, string>, namespace = 'apps'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { selector },
});
const annotations = (object: KubeObject | undefined) =>
  object?.metadata.annotations as Record<string, string> | undefined;

describe('await policies', () => {
  it('wait for a suspended Job to be Suspended, keeping its own annotations; a running Job is left alone', () => {
    const suspended: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'restore', annotations: { note: 'kept' } },
      spec: { suspend: true },
    };
    const running: KubeObject = { ...suspended, metadata: { name: 'migrate' }, spec: { suspend: false } };
    const [a, b] = withAwaitPolicies([suspended, running]);
    expect(annotations(a)).toEqual({ note: 'kept', [waitForAnnotation]: 'condition=Suspended' });
    expect(b).toBe(running);
  });

  it('skip the endpoint wait only for a Service whose every selected workload is scaled to zero', () => {
    const objects = [
      deployment('api', { app: 'api', track: 'stable' }),
      deployment('api-canary', { app: 'api', track: 'canary' }, 0),
      deployment('web-canary', { app: 'web', track: 'canary' }, 0),
      deployment('web-canary-2', { app: 'web', track: 'canary' }, 1),
      service('api', { app: 'api', track: 'stable' }),
      service('api-canary', { app: 'api', track: 'canary' }),
      service('web-canary', { app: 'web', track: 'canary' }),
      service('typo', { app: 'apii' }),
      service('elsewhere', { app: 'api', track: 'canary' }, 'other'),
    ];
    const out = withAwaitPolicies(objects);
    const skipped = out.filter((o) => annotations(o)?.[skipAwaitAnnotation] === 'true').map((o) => o.metadata.name);
    expect(skipped).toEqual(['api-canary']);
  });
});
