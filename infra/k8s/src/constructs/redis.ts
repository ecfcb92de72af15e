import { data, dataWorkloads, redisServerArgs, shutdown, versions } from '@homelab/platform';
import type { Construct } from 'constructs';
import { SingleInstanceStore } from './single-instance-store.ts';

export interface RedisProps {
  /** Storage class of the append-only file's volume. Default: the k3s default (`local-path`). */
  readonly storageClass?: string;
}

/** Redis (the API's read cache and the gateway's rate-limit buckets), with redis_exporter as its sidecar. */
export class Redis extends SingleInstanceStore {
  constructor(scope: Construct, id: string, props: RedisProps = {}) {
    const port = data.redis.port;
    super(scope, id, {
      name: 'redis',
      port,
      container: {
        image: versions.images.redis,
        args: redisServerArgs(),
        startupProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 5, failureThreshold: 24 },
        readinessProbe: { exec: { command: ['redis-cli', '-p', String(port), 'ping'] }, periodSeconds: 5 },
        livenessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 10, failureThreshold: 6 },
      },
      resources: dataWorkloads.redis.resources,
      exporter: {
        image: versions.images.redisExporter,
        port: dataWorkloads.redis.exporterPort,
        resources: dataWorkloads.redis.exporterResources,
        env: [{ name: 'REDIS_ADDR', value: `redis://127.0.0.1:${port}` }],
        readinessPath: '/health',
      },
      storage: {
        size: data.redis.storage,
        mountPath: '/data',
        ...(props.storageClass ? { storageClass: props.storageClass } : {}),
      },
      terminationGracePeriodSeconds: shutdown.terminationGracePeriodSeconds,
    });
  }

  /** The URL the API and the gateway connect with. */
  get clientUrl(): string {
    return this.url('redis');
  }
}
