import { data, dataWorkloads, secretNames, shutdown, versions } from '@homelab/platform';
import type { Construct } from 'constructs';
import { SingleInstanceStore } from './single-instance-store.ts';
import { secretVolume, tmpVolume } from './workload-defaults.ts';

export interface PostgresProps {
  /** Storage class of the data volume. Default: the k3s default (`local-path`). */
  readonly storageClass?: string;
}

/** PostgreSQL, with postgres_exporter as its sidecar; the claim is kept when the StatefulSet goes. */
export class Postgres extends SingleInstanceStore {
  constructor(scope: Construct, id: string, props: PostgresProps = {}) {
    const tmp = tmpVolume();
    const credentials = secretVolume(secretNames.postgres);
    const passwordFile = `${credentials.mount.mountPath}/password`;
    const port = data.postgres.port;
    super(scope, id, {
      name: 'postgres',
      port,
      container: {
        image: versions.images.postgres,
        env: [
          { name: 'POSTGRES_DB', value: data.postgres.database },
          { name: 'POSTGRES_USER', value: data.postgres.user },
          { name: 'POSTGRES_PASSWORD_FILE', value: passwordFile },
          // A subdirectory, so the volume's lost+found never makes initdb refuse the directory.
          { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
        ],
        startupProbe: { tcpSocket: { port: 'postgres' }, periodSeconds: 5, failureThreshold: 60 },
        readinessProbe: {
          exec: {
            command: ['pg_isready', '-h', '127.0.0.1', '-U', data.postgres.user, '-d', data.postgres.database],
          },
          periodSeconds: 5,
          timeoutSeconds: 3,
        },
        livenessProbe: { tcpSocket: { port: 'postgres' }, periodSeconds: 10, failureThreshold: 6 },
        volumeMounts: [{ name: 'run', mountPath: '/var/run/postgresql' }, tmp.mount, credentials.mount],
      },
      resources: dataWorkloads.postgres.resources,
      exporter: {
        image: versions.images.postgresExporter,
        port: dataWorkloads.postgres.exporterPort,
        resources: dataWorkloads.postgres.exporterResources,
        env: [
          { name: 'DATA_SOURCE_URI', value: `127.0.0.1:${port}/${data.postgres.database}?sslmode=disable` },
          { name: 'DATA_SOURCE_USER', value: data.postgres.user },
          { name: 'DATA_SOURCE_PASS_FILE', value: passwordFile },
        ],
        readinessPath: '/',
        volumeMounts: [credentials.mount],
      },
      storage: {
        size: data.postgres.storage,
        mountPath: '/var/lib/postgresql/data',
        retainClaim: true,
        ...(props.storageClass ? { storageClass: props.storageClass } : {}),
      },
      // PostgreSQL checkpoints on a smart shutdown; give it the full grace period.
      terminationGracePeriodSeconds: shutdown.terminationGracePeriodSeconds * 2,
      volumes: [{ name: 'run', emptyDir: { sizeLimit: '8Mi' } }, tmp.volume, credentials.volume],
    });
  }
}
