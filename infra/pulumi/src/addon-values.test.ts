import { fileURLToPath } from 'node:url';
import { addOnRequests, edge, footprintBudget } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import {
  certManagerValues,
  envoyGatewayValues,
  kubePrometheusStackValues,
  metricsServerValues,
  requestsOf,
} from './addon-values.ts';
import { loadManifests } from './manifests.ts';

const options = { flavour: 'kind', storageClass: 'local-path', alertmanagerReceiversSecret: 'receivers' } as const;

/** Every container `resources` block (CPU requested) anywhere in a values tree; volume claims have none. */
function resourceBlocks(value: unknown): { requests: { cpu: string; memory: string }; limits?: object }[] {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own =
    typeof record.resources === 'object' &&
    record.resources !== null &&
    'cpu' in ((record.resources as { requests?: object }).requests ?? {})
      ? [record.resources as { requests: { cpu: string; memory: string }; limits?: object }]
      : [];
  return [...own, ...Object.values(record).flatMap(resourceBlocks)];
}

describe('add-on values', () => {
  const all = [
    certManagerValues(),
    envoyGatewayValues(),
    kubePrometheusStackValues(options),
    metricsServerValues(options),
  ];

  it('size exactly the pods the footprint budget counts, with its numbers', () => {
    const blocks = all.flatMap(resourceBlocks);
    expect(blocks).toHaveLength(addOnRequests.length);
    const cpuMillis = blocks.reduce((sum, b) => sum + Number.parseInt(b.requests.cpu, 10), 0);
    const budgetMillis = addOnRequests.reduce((sum, r) => sum + r.cpuMillis * r.replicas, 0);
    expect(cpuMillis).toBe(budgetMillis);
    const memory = blocks.reduce((sum, b) => sum + Number.parseInt(b.requests.memory, 10), 0);
    expect(memory).toBe(addOnRequests.reduce((sum, r) => sum + r.memoryMiB * r.replicas, 0));
    expect(footprintBudget.cpuMillis).toBeGreaterThan(0);
  });

  it('limit memory, never CPU (ADR 0003)', () => {
    for (const block of all.flatMap(resourceBlocks)) {
      expect(block.limits).toHaveProperty('memory');
      expect(block.limits).not.toHaveProperty('cpu');
    }
  });

  it("run Envoy Gateway's certgen hook restricted, as the namespace it installs into enforces", () => {
    const edgeNamespace = loadManifests(fileURLToPath(new URL('../../k8s/dist', import.meta.url))).find(
      (o) => o.kind === 'Namespace' && o.metadata.name === edge.controllerNamespace,
    );
    const labels = (edgeNamespace?.metadata.labels ?? {}) as Record<string, string>;
    expect(labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(envoyGatewayValues().certgen.job.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('refuse a pod the platform facts do not size', () => {
    expect(() => requestsOf('cert-manager', 'startupapicheck')).toThrow(
      /addOnRequests has no cert-manager\/startupapicheck/,
    );
  });
});
