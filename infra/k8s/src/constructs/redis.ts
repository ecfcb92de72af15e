import { data, dataWorkloads, defaultStorageClass, shutdown, versions } from '@homelab/platform';
import { Construct } from 'constructs';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { addObject } from './api-object.ts';
import { exemptionAnnotations, noCpuLimit, pinnedImagePullPolicy } from './exemptions.ts';
import { componentLabels } from './labels.ts';
import { containerResources, isolatedPod, restrictedContainerSecurityContext } from './workload-defaults.ts';
import { addHeadlessService, addServiceAccount } from './workload-objects.ts';

export interface RedisProps {
  /** Storage class of the append-only file's volume. Default: the k3s default (`local-path`). */
  readonly storageClass?: string;
}

/**
 * Redis (the API's read cache and the gateway's rate-limit buckets) as a one-replica StatefulSet with
 * redis_exporter as a sidecar.
 */
export class Redis extends Construct {
  readonly name = 'redis';
  readonly serviceName = 'redis';
  readonly port = data.redis.port;
  readonly exporterPort = dataWorkloads.redis.exporterPort;
  readonly podLabels = componentLabels('redis');

  constructor(scope: Construct, id: string, props: RedisProps = {}) {
    super(scope, id);
    const labels = this.podLabels;
    addServiceAccount(this, this.name, labels);
    addHeadlessService(this, {
      name: this.serviceName,
      labels,
      port: { name: 'redis', port: this.port },
      metricsPort: this.exporterPort,
    });
    addObject(
      this,
      'statefulset',
      new StatefulSet({
        metadata: { name: this.name, labels, annotations: exemptionAnnotations(pinnedImagePullPolicy, noCpuLimit) },
        spec: {
          serviceName: this.serviceName,
          replicas: 1,
          selector: { matchLabels: labels },
          updateStrategy: { type: 'RollingUpdate' },
          template: {
            metadata: { labels },
            spec: {
              ...isolatedPod(this.name),
              terminationGracePeriodSeconds: shutdown.terminationGracePeriodSeconds,
              containers: [
                {
                  name: 'redis',
                  image: versions.images.redis,
                  imagePullPolicy: 'IfNotPresent',
                  // A cache: evict least-recently-used keys at the memory cap instead of refusing writes.
                  args: [
                    'redis-server',
                    '--port',
                    String(this.port),
                    '--maxmemory',
                    data.redis.maxMemory,
                    '--maxmemory-policy',
                    'allkeys-lru',
                    '--appendonly',
                    'yes',
                    '--dir',
                    '/data',
                  ],
                  ports: [{ name: 'redis', containerPort: this.port, protocol: 'TCP' }],
                  resources: containerResources(dataWorkloads.redis.resources),
                  securityContext: restrictedContainerSecurityContext(),
                  startupProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 5, failureThreshold: 24 },
                  readinessProbe: {
                    exec: { command: ['redis-cli', '-p', String(this.port), 'ping'] },
                    periodSeconds: 5,
                  },
                  livenessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 10, failureThreshold: 6 },
                  volumeMounts: [{ name: 'data', mountPath: '/data' }],
                },
                {
                  name: 'exporter',
                  image: versions.images.redisExporter,
                  imagePullPolicy: 'IfNotPresent',
                  env: [{ name: 'REDIS_ADDR', value: `redis://127.0.0.1:${this.port}` }],
                  ports: [{ name: 'metrics', containerPort: this.exporterPort, protocol: 'TCP' }],
                  resources: containerResources(dataWorkloads.redis.exporterResources),
                  securityContext: restrictedContainerSecurityContext(),
                  readinessProbe: { httpGet: { path: '/health', port: 'metrics' }, periodSeconds: 10 },
                  livenessProbe: { tcpSocket: { port: 'metrics' }, periodSeconds: 20 },
                },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data', labels },
              spec: {
                accessModes: ['ReadWriteOnce'],
                storageClassName: props.storageClass ?? defaultStorageClass,
                resources: { requests: { storage: data.redis.storage } },
              },
            },
          ],
        },
      }),
    );
    addObject(
      this,
      'pdb',
      new PodDisruptionBudget({
        metadata: { name: this.name, labels },
        spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
      }),
    );
  }
}
