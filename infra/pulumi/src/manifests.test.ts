import { fileURLToPath } from 'node:url';
import { bootstrap, data, namespaces, secretNames } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import {
  apiGroup,
  crdOwners,
  exposeGatewayOnKindNodePorts,
  type KubeObject,
  loadManifests,
  referencedSecrets,
  routedHostnames,
  serviceExposing,
  stageManifests,
} from './manifests.ts';

const dist = fileURLToPath(new URL('../../k8s/dist', import.meta.url));
const objects = loadManifests(dist);
const object = (apiVersion: string, kind: string, name: string, namespace?: string, rest = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  ...rest,
});

describe('the synthesized manifests (infra/k8s/dist), as the program stages them', () => {
  const stages = stageManifests(objects);

  it('puts every object in exactly one stage', () => {
    const custom = [...stages.custom.values()].flat();
    expect(stages.namespaces.length + stages.builtIn.length + custom.length).toBe(objects.length);
    expect(stages.namespaces.map((n) => n.metadata.name).sort()).toEqual(Object.values(namespaces).sort());
  });

  it('keeps every custom resource out of the built-in stage and with the add-on that owns its API group', () => {
    for (const o of stages.builtIn)
      expect(apiGroup(o.apiVersion) in crdOwners, `${o.kind} ${o.metadata.name}`).toBe(false);
    for (const [addon, staged] of stages.custom) {
      for (const o of staged) expect(crdOwners[apiGroup(o.apiVersion)]).toBe(addon);
    }
    expect([...stages.custom.keys()].sort()).toEqual(['certManager', 'envoyGateway', 'kubePrometheusStack']);
  });

  it('finds the routed hostnames and the PostgreSQL Service by port', () => {
    expect(routedHostnames(objects)).toEqual(['api.homelab.home.arpa', 'notes.homelab.home.arpa']);
    expect(serviceExposing(objects, namespaces.data, data.postgres.port).metadata.name).toBe('postgres');
  });

  it('finds the Secrets pods read, leaving out those cert-manager issues', () => {
    const references = referencedSecrets(objects).map((r) => `${r.namespace}/${r.name}`);
    expect(references).toEqual(
      expect.arrayContaining([
        `${namespaces.data}/${secretNames.postgres}`,
        `${namespaces.apps}/${secretNames.apiDatabase}`,
        `${namespaces.apps}/${secretNames.gatewayJwt}`,
      ]),
    );
    expect(references).not.toContain(`${namespaces.edge}/public-gateway-tls`);
    expect(references).not.toContain('cert-manager/homelab-ca');
  });
});

describe('staging', () => {
  it('refuses a custom resource of an API group no add-on installs, naming it', () => {
    expect(() => stageManifests([object('keda.sh/v1alpha1', 'ScaledObject', 'api', 'homelab-apps')])).toThrow(
      /ScaledObject homelab-apps\/api is a keda\.sh\/v1alpha1 custom resource, but no add-on installs that API group/,
    );
  });

  it('treats core, apps and policy objects as built-in', () => {
    const stages = stageManifests([
      object('v1', 'Namespace', 'x'),
      object('v1', 'Service', 's', 'x'),
      object('apps/v1', 'Deployment', 'd', 'x'),
      object('policy/v1', 'PodDisruptionBudget', 'p', 'x'),
    ]);
    expect(stages.namespaces).toHaveLength(1);
    expect(stages.builtIn).toHaveLength(3);
    expect(stages.custom.size).toBe(0);
  });
});

describe('the kind NodePort patch', () => {
  it('patches only the LoadBalancer EnvoyProxy and leaves the input untouched', () => {
    const before = JSON.stringify(objects);
    const patched = exposeGatewayOnKindNodePorts(objects);
    expect(JSON.stringify(objects)).toBe(before);
    const changed = patched.filter((o, index) => JSON.stringify(o) !== JSON.stringify(objects[index]));
    expect(changed.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual(['EnvoyProxy public']);
    expect(JSON.stringify(changed[0])).toContain(`"nodePort":${bootstrap.kindGatewayNodePorts.https}`);
  });

  it('refuses two LoadBalancer proxies: they cannot share the host ports', () => {
    const proxy = (name: string) =>
      object('gateway.envoyproxy.io/v1alpha1', 'EnvoyProxy', name, 'homelab-edge', {
        spec: { provider: { kubernetes: { envoyService: { type: 'LoadBalancer' } } } },
      });
    expect(() => exposeGatewayOnKindNodePorts([proxy('a'), proxy('b')])).toThrow(/found 2/);
  });
});
