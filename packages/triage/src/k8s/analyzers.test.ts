import type {
  CoreV1Event,
  V1Deployment,
  V1EndpointSlice,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { analyzeCertificates, analyzeGatewayApi } from './custom.ts';
import { analyzeDeployments } from './deployments.ts';
import { analyzeEndpoints } from './endpoints.ts';
import { analyzeHpas } from './hpas.ts';
import { analyzeNodes } from './nodes.ts';
import { analyzePods } from './pods.ts';
import { analyzePvcs } from './storage.ts';

/**
 * The objects below have the shapes and the messages kube-apiserver, the scheduler, the kubelet (as kwok's Stages
 * write it) and the controllers produce; the cluster suite creates the same failures on a real control plane.
 */
const ns = 'homelab-apps';
const at = '2026-11-30T20:00:00Z';

const event = (kind: string, name: string, reason: string, message: string, type = 'Warning'): CoreV1Event => ({
  metadata: { name: `${name}.1`, namespace: ns, creationTimestamp: new Date(at) },
  involvedObject: { kind, name, namespace: ns },
  reason,
  message,
  type,
  lastTimestamp: new Date(at),
});

const pod = (name: string, overrides: Partial<V1Pod> & { labels?: Record<string, string> } = {}): V1Pod => ({
  metadata: { name, namespace: ns, labels: overrides.labels ?? { 'app.kubernetes.io/name': 'api' } },
  spec: {
    containers: [
      {
        name: 'api',
        image: 'ghcr.io/homelab-platform/homelab/api:0.1.0',
        ports: [{ name: 'http', containerPort: 3002 }],
        resources: { limits: { memory: '256Mi' }, requests: { cpu: '50m', memory: '128Mi' } },
      },
    ],
    ...overrides.spec,
  },
  status: {
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'True' },
    ],
    ...overrides.status,
  },
});

describe('pods', () => {
  it('explains Pending with the scheduler reason and the fix', () => {
    const message =
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    const pending = pod('api-7d9c-x1', {
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
      },
    });
    const [f] = analyzePods([pending], [event('Pod', 'api-7d9c-x1', 'FailedScheduling', message)]);
    expect(f).toMatchObject({
      severity: 'alert',
      subject: `pod ${ns}/api-7d9c-x1`,
      runbook: 'runbooks/kubernetes/KubePodPending.md',
    });
    expect(f?.evidence[0]).toContain("didn't match Pod's node affinity/selector");
    expect(f?.next).toContain('nodeSelector');
  });

  it('tells a crash loop after OOM kills from one after errors, with restarts and the limit', () => {
    const crashing = (reason: string, exitCode: number) =>
      pod('api-1', {
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
          containerStatuses: [
            {
              name: 'api',
              image: 'x',
              imageID: '',
              ready: false,
              restartCount: 5,
              state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' } },
              lastState: { terminated: { reason, exitCode, finishedAt: new Date(at) } },
            },
          ],
        },
      });
    const [oom] = analyzePods([crashing('OOMKilled', 137)], []);
    expect(oom).toMatchObject({ severity: 'alert', runbook: 'runbooks/kubernetes/KubeContainerOOMKilled.md' });
    expect(oom?.evidence).toEqual(expect.arrayContaining(['5 restart(s)', 'memory limit 256Mi']));
    expect(oom?.evidence[1]).toContain('OOMKilled (exit code 137)');
    const [error] = analyzePods([crashing('Error', 1)], []);
    expect(error).toMatchObject({ runbook: 'runbooks/kubernetes/KubePodCrashLooping.md' });
    expect(error?.next).toContain('logs api-1 -c api --previous');
    // One finding per pod: the not-Ready symptom is the crash loop, not a second finding.
    expect(analyzePods([crashing('Error', 1)], [])).toHaveLength(1);
  });

  it('reports Running but not Ready with the failing probe event, and nothing for a healthy pod', () => {
    const notReady = pod('api-2', {
      status: {
        phase: 'Running',
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'ContainersNotReady',
            message: 'containers with unready status: [api]',
          },
        ],
      },
    });
    const probe = event('Pod', 'api-2', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503');
    const [f] = analyzePods([notReady, pod('api-3')], [probe]);
    expect(f?.subject).toBe(`pod ${ns}/api-2`);
    expect(f?.evidence[1]).toContain('Readiness probe failed');
    expect(analyzePods([pod('api-3')], [])).toEqual([]);
  });
});

describe('deployments, PVCs, nodes, HPAs', () => {
  it('finds a Deployment short of replicas past its progress deadline', () => {
    const d: V1Deployment = {
      metadata: { name: 'api', namespace: ns },
      spec: { replicas: 2, selector: {}, template: {} },
      status: {
        availableReplicas: 1,
        readyReplicas: 1,
        updatedReplicas: 1,
        unavailableReplicas: 1,
        conditions: [
          {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          },
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "api-5f" has timed out progressing.',
          },
        ],
      },
    };
    const [f] = analyzeDeployments([d], []);
    expect(f?.what).toBe('1 of 2 replicas available: rollout stuck past its deadline');
    expect(f?.severity).toBe('warn');
    expect(analyzeDeployments([{ ...d, status: { ...d.status, availableReplicas: 2 } }], [])).toEqual([]);
  });

  it('names a missing StorageClass for a Pending claim, and lets WaitForFirstConsumer be', () => {
    const pvc = (name: string): V1PersistentVolumeClaim => ({
      metadata: { name, namespace: ns },
      spec: { storageClassName: 'fast-ssd', resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Pending' },
    });
    const findings = analyzePvcs(
      [pvc('data'), pvc('later')],
      [
        event(
          'PersistentVolumeClaim',
          'data',
          'ProvisioningFailed',
          'storageclass.storage.k8s.io "fast-ssd" not found',
        ),
        event(
          'PersistentVolumeClaim',
          'later',
          'WaitForFirstConsumer',
          'waiting for first consumer to be created before binding',
          'Normal',
        ),
      ],
    );
    expect(findings.map((f) => [f.subject, f.severity])).toEqual([
      [`pvc ${ns}/data`, 'alert'],
      [`pvc ${ns}/later`, 'info'],
    ]);
    expect(findings[0]?.next).toContain('The StorageClass "fast-ssd" does not exist');
  });

  it('reports NotReady, pressure and cordoned nodes', () => {
    const node: V1Node = {
      metadata: { name: 'kwok-node-0' },
      spec: { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'Unknown',
            reason: 'NodeStatusUnknown',
            message: 'Kubelet stopped posting node status.',
          },
          { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory' },
          { type: 'DiskPressure', status: 'False' },
        ],
      },
    };
    expect(analyzeNodes([node]).map((f) => f.what)).toEqual([
      'NotReady (Unknown): its pods are evicted after the toleration time',
      'MemoryPressure',
      'cordoned: no new pods are scheduled here',
    ]);
  });

  it('reports an HPA without metrics and one at its maximum', () => {
    const hpa = (current: number, active: 'True' | 'False'): V2HorizontalPodAutoscaler => ({
      metadata: { name: 'api', namespace: ns },
      spec: {
        maxReplicas: 4,
        minReplicas: 2,
        scaleTargetRef: { kind: 'Deployment', name: 'api', apiVersion: 'apps/v1' },
      },
      status: {
        currentReplicas: current,
        desiredReplicas: current,
        conditions: [
          {
            type: 'ScalingActive',
            status: active,
            reason: active === 'False' ? 'FailedGetResourceMetric' : 'ValidMetricFound',
            message:
              'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu',
          },
        ],
      },
    });
    const [noMetrics] = analyzeHpas([hpa(2, 'False')]);
    expect(noMetrics).toMatchObject({ severity: 'alert', runbook: 'runbooks/kubernetes/KubeHpaWithoutMetrics.md' });
    expect(noMetrics?.next).toContain('metrics-server');
    const [maxed] = analyzeHpas([hpa(4, 'True')]);
    expect(maxed).toMatchObject({ severity: 'warn', runbook: 'runbooks/kubernetes/KubeHpaMaxedOut.md' });
  });
});

describe('cert-manager and Gateway API objects', () => {
  it('reports a Certificate not Ready with the issuer message', () => {
    const [f] = analyzeCertificates([
      {
        metadata: { name: 'notes-tls', namespace: 'homelab-edge' },
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'DoesNotExist',
              message: 'Issuing certificate as Secret does not exist',
            },
          ],
        },
      },
      {
        metadata: { name: 'ok', namespace: 'homelab-edge' },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      },
    ]);
    expect(f).toMatchObject({ subject: 'certificate homelab-edge/notes-tls', what: 'not Ready: DoesNotExist' });
  });

  it('reports an unclaimed Gateway, and an HTTPRoute whose backend does not resolve', () => {
    const findings = analyzeGatewayApi(
      [
        {
          metadata: { name: 'homelab', namespace: 'homelab-edge' },
          status: {
            conditions: [{ type: 'Accepted', status: 'Unknown', reason: 'Pending', message: 'Waiting for controller' }],
          },
        },
      ],
      [
        {
          metadata: { name: 'notes', namespace: 'homelab-apps' },
          status: {
            parents: [
              {
                parentRef: { name: 'homelab', namespace: 'homelab-edge' },
                controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
                conditions: [
                  { type: 'Accepted', status: 'True', reason: 'Accepted' },
                  {
                    type: 'ResolvedRefs',
                    status: 'False',
                    reason: 'BackendNotFound',
                    message: 'Failed to process route rule 0 backendRef 0: service homelab-apps/api not found.',
                  },
                ],
              },
            ],
          },
        },
      ],
    );
    expect(findings.map((f) => f.what)).toEqual([
      'no controller has accepted it',
      'ResolvedRefs=False on gateway homelab',
    ]);
    expect(findings[1]?.next).toContain('homelab triage endpoints');
  });
});

describe('endpoints', () => {
  const service = (selector: Record<string, string>, targetPort: string | number = 'http'): V1Service => ({
    metadata: { name: 'api', namespace: ns },
    spec: { selector, ports: [{ name: 'http', port: 80, targetPort: targetPort as never }] },
  });
  const slice = (ready: boolean[]): V1EndpointSlice => ({
    addressType: 'IPv4',
    metadata: { name: 'api-abc', namespace: ns, labels: { 'kubernetes.io/service-name': 'api' } },
    endpoints: ready.map((r, i) => ({ addresses: [`10.0.0.${i}`], conditions: { ready: r } })),
  });

  it('names the pod label that misses the selector by one', () => {
    const others = ['web-1', 'web-2', 'gateway-1', 'gateway-2'].map((name) =>
      pod(name, { labels: { 'app.kubernetes.io/name': name.split('-')[0] ?? '' } }),
    );
    // The likely typo comes first, before other apps' pods that also differ in that one label.
    const [f] = analyzeEndpoints([service({ 'app.kubernetes.io/name': 'apii' })], [], [...others, pod('api-1')]);
    expect(f?.what).toBe('no endpoints: the selector matches no pod');
    expect(f?.evidence).toContain(
      'pod api-1 has app.kubernetes.io/name=api, the selector wants app.kubernetes.io/name=apii',
    );
    expect(f?.runbook).toBe('runbooks/kubernetes/KubeServiceWithoutEndpoints.md');
  });

  it('says when the pods match but none is Ready', () => {
    const unready = pod('api-1', {
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }] },
    });
    const [f] = analyzeEndpoints([service({ 'app.kubernetes.io/name': 'api' })], [slice([false])], [unready]);
    expect(f?.what).toBe('no ready endpoints: 1 pod(s) match but none is Ready');
  });

  it('finds a named targetPort no container declares', () => {
    const [f] = analyzeEndpoints([service({ 'app.kubernetes.io/name': 'api' }, 'web')], [], [pod('api-1')]);
    expect(f?.what).toBe('named targetPort not declared by the pods: web');
    expect(f?.evidence[1]).toBe('pod ports: http:3002');
  });

  it('stays silent for a Service with ready endpoints or without a selector', () => {
    expect(analyzeEndpoints([service({ 'app.kubernetes.io/name': 'api' })], [slice([true])], [pod('api-1')])).toEqual(
      [],
    );
    expect(analyzeEndpoints([{ metadata: { name: 'ext', namespace: ns }, spec: {} }], [], [])).toEqual([]);
  });
});
