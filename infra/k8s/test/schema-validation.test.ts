import { describe, expect, it } from 'vitest';
import { cloneObjects, find, loadManifests } from '../src/manifests.ts';
import { validateAll, validateObject } from './schema-validation.ts';

const objects = loadManifests();

describe('schema validation with unknown fields rejected', () => {
  it('accepts every synthesized object', () => {
    expect(objects.length).toBeGreaterThan(50);
    expect(validateAll(objects)).toEqual([]);
  });

  it('catches a typo at the top of a spec (spec.replica)', () => {
    const [deployment] = cloneObjects([find(objects, 'Deployment', 'web')]);
    if (!deployment) throw new Error('no Deployment');
    deployment.spec.replica = 3;
    expect(validateObject(deployment)).toEqual(['Deployment/homelab-apps/web: spec.replica: unknown field']);
  });

  it('catches a typo deep inside a pod template and in metadata', () => {
    const [deployment] = cloneObjects([find(objects, 'Deployment', 'api')]);
    if (!deployment) throw new Error('no Deployment');
    deployment.spec.template.spec.containers[0].readinesProbe = {};
    Object.assign(deployment.metadata, { labelz: {} });
    const problems = validateObject(deployment);
    expect(problems).toContain(
      'Deployment/homelab-apps/api: spec.template.spec.containers[0].readinesProbe: unknown field',
    );
    expect(problems).toContain('Deployment/homelab-apps/api: metadata.labelz: unknown field');
  });

  it('catches typos in custom resources of Gateway API, cert-manager and prometheus-operator', () => {
    const [route, certificate, monitor] = cloneObjects([
      find(objects, 'HTTPRoute', 'web'),
      find(objects, 'Certificate', 'public-gateway-tls'),
      find(objects, 'PodMonitor', 'api'),
    ]);
    if (!route || !certificate || !monitor) throw new Error('missing objects');
    route.spec.rules[0].backendRefs[1].wieght = 5;
    certificate.spec.renewbefore = '1h';
    monitor.spec.podMetricsEndpoints[0].intervall = '5s';
    expect(validateObject(route)).toEqual([
      'HTTPRoute/homelab-apps/web: spec.rules[0].backendRefs[1].wieght: unknown field',
    ]);
    expect(validateObject(certificate)).toEqual([
      'Certificate/homelab-edge/public-gateway-tls: spec.renewbefore: unknown field',
    ]);
    expect(validateObject(monitor)).toEqual([
      'PodMonitor/homelab-apps/api: spec.podMetricsEndpoints[0].intervall: unknown field',
    ]);
  });

  it('catches wrong types and missing required fields', () => {
    const [deployment, certificate] = cloneObjects([
      find(objects, 'Deployment', 'web'),
      find(objects, 'Certificate', 'homelab-ca'),
    ]);
    if (!deployment || !certificate) throw new Error('missing objects');
    delete deployment.spec.selector;
    certificate.spec.duration = 24;
    expect(validateObject(deployment).join()).toMatch(/selector/);
    expect(validateObject(certificate).join()).toMatch(/duration/);
  });

  it('checks Envoy Gateway objects against the hand-written schemas, enums included', () => {
    const [policy, proxy] = cloneObjects([
      find(objects, 'BackendTrafficPolicy', 'api'),
      find(objects, 'EnvoyProxy', 'internal'),
    ]);
    if (!policy || !proxy) throw new Error('missing objects');
    policy.spec.retry.retryOn.triggers.push('connection-failure');
    proxy.spec.provider.kubernetes.envoyService.tpye = 'ClusterIP';
    proxy.spec.provider.kubernetes.envoyDeployment.container.resources.request = {};
    expect(validateObject(policy)).toEqual([
      'BackendTrafficPolicy/homelab-apps/api: spec.retry.retryOn.triggers[2]: connection-failure is not one of 5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, retriable-status-codes, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable',
    ]);
    const proxyProblems = validateObject(proxy);
    expect(proxyProblems).toContain(
      'EnvoyProxy/homelab-edge/internal: spec.provider.kubernetes.envoyService.tpye: unknown field',
    );
    expect(proxyProblems.length).toBe(1);
  });

  it('refuses kinds it has no schema for', () => {
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(validateObject(unknown)).toEqual(['Widget/w: no schema for example.com/v1 Widget']);
  });
});
