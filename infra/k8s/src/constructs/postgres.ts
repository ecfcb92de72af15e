import { data, dataWorkloads, defaultStorageClass, secretNames, shutdown, versions } from '@homelab/platform';
import { Construct } from 'constructs';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { addObject } from './api-object.ts';
import { exemptionAnnotations, noCpuLimit, pinnedImagePullPolicy } from './exemptions.ts';
import { componentLabels } from './labels.ts';
import {
  containerResources,
  isolatedPod,
  restrictedContainerSecurityContext,
  secretVolume,
  tmpVolume,
} from './workload-defaults.ts';
import { addHeadlessService, addServiceAccount } from './workload-objects.ts';

export interface PostgresProps {
  /** Storage class of the data volume. Default: the k3s default (`local-path`). */
  readonly storageClass?: string;
}

/**
 * PostgreSQL as a one-replica StatefulSet behind a headless Service, with postgres_exporter as a sidecar so
 * the exporter's lifetime and address follow the database's.
 */
export class Postgres extends Construct {
  readonly name = 'postgres';
  readonly serviceName = 'postgres';
  readonly port = data.postgres.port;
  readonly exporterPort = dataWorkloads.postgres.exporterPort;
  readonly podLabels = componentLabels('postgres');

  constructor(scope: Construct, id: string, props: PostgresProps = {}) {
    super(scope, id);
    const storageClass = props.storageClass ?? defaultStorageClass;
    const labels = this.podLabels;
    const tmp = tmpVolume();
    const credentials = secretVolume(secretNames.postgres);

    addServiceAccount(this, this.name, labels);
    addHeadlessService(this, {
      name: this.serviceName,
      labels,
      port: { name: 'postgres', port: this.port },
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
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          template: {
            metadata: { labels },
            spec: {
              ...isolatedPod(this.name),
              // PostgreSQL checkpoints on a smart shutdown; give it the full grace period.
              terminationGracePeriodSeconds: shutdown.terminationGracePeriodSeconds * 2,
              containers: [
                {
                  name: 'postgres',
                  image: versions.images.postgres,
                  imagePullPolicy: 'IfNotPresent',
                  ports: [{ name: 'postgres', containerPort: this.port, protocol: 'TCP' }],
                  env: [
                    { name: 'POSTGRES_DB', value: data.postgres.database },
                    { name: 'POSTGRES_USER', value: data.postgres.user },
                    { name: 'POSTGRES_PASSWORD_FILE', value: `${credentials.mount.mountPath}/password` },
                    // A subdirectory, so the volume's lost+found never makes initdb refuse the directory.
                    { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                  ],
                  resources: containerResources(dataWorkloads.postgres.resources),
                  securityContext: restrictedContainerSecurityContext(),
                  startupProbe: { tcpSocket: { port: 'postgres' }, periodSeconds: 5, failureThreshold: 60 },
                  readinessProbe: {
                    exec: {
                      command: [
                        'pg_isready',
                        '-h',
                        '127.0.0.1',
                        '-U',
                        data.postgres.user,
                        '-d',
                        data.postgres.database,
                      ],
                    },
                    periodSeconds: 5,
                    timeoutSeconds: 3,
                  },
                  livenessProbe: { tcpSocket: { port: 'postgres' }, periodSeconds: 10, failureThreshold: 6 },
                  volumeMounts: [
                    { name: 'data', mountPath: '/var/lib/postgresql/data' },
                    { name: 'run', mountPath: '/var/run/postgresql' },
                    tmp.mount,
                    credentials.mount,
                  ],
                },
                {
                  name: 'exporter',
                  image: versions.images.postgresExporter,
                  imagePullPolicy: 'IfNotPresent',
                  ports: [{ name: 'metrics', containerPort: this.exporterPort, protocol: 'TCP' }],
                  env: [
                    {
                      name: 'DATA_SOURCE_URI',
                      value: `127.0.0.1:${this.port}/${data.postgres.database}?sslmode=disable`,
                    },
                    { name: 'DATA_SOURCE_USER', value: data.postgres.user },
                    { name: 'DATA_SOURCE_PASS_FILE', value: `${credentials.mount.mountPath}/password` },
                  ],
                  resources: containerResources(dataWorkloads.postgres.exporterResources),
                  securityContext: restrictedContainerSecurityContext(),
                  readinessProbe: { httpGet: { path: '/', port: 'metrics' }, periodSeconds: 10 },
                  livenessProbe: { tcpSocket: { port: 'metrics' }, periodSeconds: 20 },
                  volumeMounts: [credentials.mount],
                },
              ],
              volumes: [{ name: 'run', emptyDir: { sizeLimit: '8Mi' } }, tmp.volume, credentials.volume],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data', labels },
              spec: {
                accessModes: ['ReadWriteOnce'],
                storageClassName: storageClass,
                resources: { requests: { storage: data.postgres.storage } },
              },
            },
          ],
        },
      }),
    );
    // One replica: the budget allows the eviction (a node drain must finish) and documents that it is allowed.
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
