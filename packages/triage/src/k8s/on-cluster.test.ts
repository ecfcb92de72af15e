import { faultLabel, faults, type KubeObject, waitFor } from '@homelab/cluster';
import { clusterUnavailable, startTestCluster, type TestCluster } from '@homelab/cluster/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../finding.ts';
import { analyzeCluster, analyzeServiceEndpoints } from './analyze.ts';
import { collectCluster } from './collect.ts';

/**
 * The cluster checks against a real control plane (kube-apiserver, controller manager, scheduler) with kwok's
 * simulated nodes, each failure created for real through the API. Real here: the scheduler's Pending reason, the
 * Deployment controller's replica counts, EndpointSlices from selectors, the PV controller's event for a missing
 * StorageClass, the HPA controller's FailedGetResourceMetric (no metrics-server), the Gateway's CRD-defaulted
 * "Waiting for controller" status. Simulated by a kwok Stage (the real API shape, no process): the OOMKilled crash
 * loop. Data only: a cert-manager Certificate that no cert-manager processes.
 */
const unavailable = clusterUnavailable();
const ns = 'triage';

describe.skipIf(unavailable)('cluster checks on a real API server with simulated nodes', () => {
  let cluster: TestCluster;
  let findings: Finding[] = [];
  const about = (subject: string) => findings.filter((f) => f.subject === subject);

  beforeAll(async () => {
    cluster = await startTestCluster({ count: 2, zones: 1 });
    const { kube } = cluster;
    const labels = { 'app.kubernetes.io/name': 'web' };
    const container = { name: 'web', image: 'busybox', ports: [{ name: 'http', containerPort: 3000 }] };
    const objects: KubeObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      // Healthy: a Ready pod behind a Service whose selector matches it.
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web-1', namespace: ns, labels },
        spec: { containers: [container] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: ns },
        spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
      // Selector typo: no endpoints.
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web-typo', namespace: ns },
        spec: { selector: { 'app.kubernetes.io/name': 'webb' }, ports: [{ port: 80, targetPort: 3000 }] },
      },
      // Unschedulable: no node has this label. Its Deployment stays at 0 of 2.
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api', namespace: ns },
        spec: {
          replicas: 2,
          selector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
          template: {
            metadata: { labels: { 'app.kubernetes.io/name': 'api' } },
            spec: {
              nodeSelector: { 'homelab.dev/disk': 'nvme' },
              containers: [{ name: 'api', image: 'busybox', resources: { requests: { cpu: '50m' } } }],
            },
          },
        },
      },
      // An HPA with no metrics-server behind it.
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web', namespace: ns },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
          minReplicas: 2,
          maxReplicas: 4,
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
          ],
        },
      },
      // A claim on a StorageClass that does not exist.
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data', namespace: ns },
        spec: {
          storageClassName: 'missing-class',
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
        },
      },
      // A container the Stage OOM-kills over and over.
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'hog', namespace: ns, labels: { [faultLabel]: faults.oomKilled } },
        spec: { containers: [{ name: 'hog', image: 'busybox', resources: { limits: { memory: '64Mi' } } }] },
      },
      // A Gateway whose class no controller serves, and a Certificate no cert-manager processes.
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'edge', namespace: ns },
        spec: { gatewayClassName: 'nobody', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
      },
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'notes-tls', namespace: ns },
        spec: {
          secretName: 'notes-tls',
          dnsNames: ['notes.homelab.test'],
          issuerRef: { name: 'ca', kind: 'ClusterIssuer' },
        },
      },
    ];
    for (const object of objects) await kube.applyOrThrow(object);
    const options = { kubeconfig: cluster.info.kubeconfig, namespace: ns };
    const wanted = [
      `pod ${ns}/hog container hog`,
      `service ${ns}/web-typo`,
      `pvc ${ns}/data`,
      `deployment ${ns}/api`,
      `hpa ${ns}/web`,
    ];
    // Controllers act within seconds (the HPA's sync period is 15 s): poll until every failure shows.
    findings = await waitFor(
      'every failure created to show as a finding',
      async () => {
        const facts = await collectCluster(options);
        const all = [...analyzeCluster(facts), ...analyzeServiceEndpoints(facts)];
        const pending = all.filter((f) => f.subject.startsWith(`pod ${ns}/api-`) && f.what.startsWith('Pending'));
        return wanted.every((s) => all.some((f) => f.subject === s)) && pending.length === 2 ? all : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('explains Pending pods with the real scheduler message', () => {
    const pending = findings.filter((f) => f.subject.startsWith(`pod ${ns}/api-`));
    expect(pending).toHaveLength(2);
    expect(pending[0]?.evidence[0]).toMatch(/0\/2 nodes are available: .*didn't match Pod's node affinity\/selector/);
    expect(pending[0]?.next).toContain('nodeSelector');
  });

  it('reports the Deployment short of replicas', () => {
    expect(about(`deployment ${ns}/api`)[0]?.what).toMatch(/^0 of 2 replicas available/);
  });

  it('names the missing StorageClass from the PV controller event', () => {
    const [pvc] = about(`pvc ${ns}/data`);
    expect(pvc?.severity).toBe('alert');
    expect(pvc?.next).toContain('The StorageClass "missing-class" does not exist');
  });

  it('reports the HPA without metrics from the HPA controller condition', () => {
    expect(about(`hpa ${ns}/web`)[0]?.what).toMatch(/^not scaling: FailedGet/);
  });

  it('reads the OOMKilled crash loop a kwok Stage wrote in the kubelet shape', () => {
    const [hog] = about(`pod ${ns}/hog container hog`);
    expect(hog).toMatchObject({ severity: 'alert', runbook: 'runbooks/kubernetes/KubeContainerOOMKilled.md' });
    expect(hog?.evidence).toContain('memory limit 64Mi');
  });

  it('finds the Service whose selector misses by one label, and leaves the healthy one alone', () => {
    const [typo] = about(`service ${ns}/web-typo`);
    expect(typo?.evidence).toContain(
      'pod web-1 has app.kubernetes.io/name=web, the selector wants app.kubernetes.io/name=webb',
    );
    expect(about(`service ${ns}/web`)).toEqual([]);
    expect(about(`pod ${ns}/web-1`)).toEqual([]);
  });

  it('reports the unclaimed Gateway and the Certificate nothing issued', () => {
    expect(about(`gateway ${ns}/edge`)[0]?.what).toBe('no controller has accepted it');
    expect(about(`certificate ${ns}/notes-tls`)[0]?.what).toBe('not Ready');
  });
});
