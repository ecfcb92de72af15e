import { describe, expect, it } from 'vitest';
import { cloneObjects, loadManifests } from '../src/manifests.ts';
import { allGuards, failingGuards } from './guards.ts';
import { mutations } from './mutations.ts';

const objects = loadManifests();

describe('the committed manifests', () => {
  it('contain every kind the platform needs', () => {
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Namespace',
      'Deployment',
      'StatefulSet',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'CronJob',
      'Job',
      'Certificate',
      'ClusterIssuer',
      'GatewayClass',
      'Gateway',
      'HTTPRoute',
      'EnvoyProxy',
      'BackendTrafficPolicy',
      'PodMonitor',
      'Role',
      'RoleBinding',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
  });

  for (const [name, guard] of Object.entries(allGuards)) {
    it(`hold: ${name}`, () => {
      expect(guard(objects)).toEqual([]);
    });
  }
});

describe('the mutation check', () => {
  for (const mutation of mutations) {
    it(`catches: ${mutation.name}`, () => {
      const mutated = cloneObjects(objects);
      mutation.apply(mutated);
      const failing = failingGuards(mutated);
      for (const guard of mutation.caughtBy) expect(Object.keys(failing), guard).toContain(guard);
    });
  }

  it('leaves the committed objects untouched while mutating copies', () => {
    expect(failingGuards(objects)).toEqual({});
  });
});
