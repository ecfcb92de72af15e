import { data, dataWorkloads, defaultStorageClass, secretNames, versions } from '@homelab/platform';
import { Construct } from 'constructs';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, type IPodSpec, PersistentVolumeClaim } from 'kubernetes-models/v1';
import { addObject } from './api-object.ts';
import { exemptionAnnotations, noCpuLimit, pinnedImagePullPolicy } from './exemptions.ts';
import { componentLabels } from './labels.ts';
import { chartPods, type PodPeer } from './peers.ts';
import type { Postgres } from './postgres.ts';
import { isolatedPod, restrictedContainer, secretVolume, tmpVolume } from './workload-defaults.ts';
import { addServiceAccount } from './workload-objects.ts';

export interface PostgresBackupProps {
  /** The database to back up; host, port and credentials come from it. */
  readonly postgres: Postgres;
  /** Storage class of the backup volume. Default: the k3s default (`local-path`). */
  readonly storageClass?: string;
}

const backupDir = '/backups';

/**
 * A nightly `pg_dump` to its own volume with a retention in days, and a restore Job that is committed suspended:
 * an operator restores by un-suspending it (`kubectl patch job postgres-restore -p '{"spec":{"suspend":false}}'`),
 * optionally choosing a file first in the `postgres-restore` ConfigMap's BACKUP_FILE (default: the newest dump).
 */
export class PostgresBackup extends Construct {
  readonly backupName = 'postgres-backup';
  readonly restoreName = 'postgres-restore';
  readonly backupPodLabels = componentLabels('postgres-backup');
  readonly restorePodLabels = componentLabels('postgres-restore');
  /** The nightly backup's pods and the restore Job's pods, as NetworkPolicy peers. */
  readonly backupPods: PodPeer;
  readonly restorePods: PodPeer;

  constructor(scope: Construct, id: string, props: PostgresBackupProps) {
    super(scope, id);
    this.backupPods = chartPods(this, this.backupName, this.backupPodLabels);
    this.restorePods = chartPods(this, this.restoreName, this.restorePodLabels);
    const { postgres } = props;
    const claimName = 'postgres-backups';
    addObject(
      this,
      'volume',
      new PersistentVolumeClaim({
        metadata: { name: claimName, labels: this.backupPodLabels },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: props.storageClass ?? defaultStorageClass,
          resources: { requests: { storage: data.postgres.backupStorage } },
        },
      }),
    );
    const connection = [
      { name: 'PGHOST', value: postgres.serviceName },
      { name: 'PGPORT', value: String(postgres.port) },
      { name: 'PGUSER', value: data.postgres.user },
      { name: 'PGDATABASE', value: data.postgres.database },
    ];
    const credentials = secretVolume(secretNames.postgres);
    // The password is read from the mounted Secret file, so it never sits in the pod's environment spec.
    const readPassword = `export PGPASSWORD="$(cat ${credentials.mount.mountPath}/password)"`;
    const podSpec = (name: string, script: string, readOnly: boolean, configMap?: string): IPodSpec => {
      const tmp = tmpVolume();
      return {
        ...isolatedPod(name),
        restartPolicy: 'OnFailure',
        containers: [
          restrictedContainer(
            {
              name,
              image: versions.images.postgres,
              command: ['/bin/sh', '-ec', script],
              env: connection,
              ...(configMap ? { envFrom: [{ configMapRef: { name: configMap } }] } : {}),
              volumeMounts: [{ name: 'backups', mountPath: backupDir, readOnly }, tmp.mount, credentials.mount],
            },
            dataWorkloads.jobResources,
          ),
        ],
        volumes: [{ name: 'backups', persistentVolumeClaim: { claimName, readOnly } }, tmp.volume, credentials.volume],
      };
    };

    // --clean --if-exists makes the dump restorable over an existing schema; gzip keeps a week of dumps small.
    const backupScript = [
      readPassword,
      `file=${backupDir}/${data.postgres.database}-$(date -u +%Y%m%dT%H%M%SZ).sql.gz`,
      'pg_dump --clean --if-exists --no-owner | gzip > "$file.partial"',
      'mv "$file.partial" "$file"',
      `find ${backupDir} -name '*.sql.gz' -mtime +${data.postgres.backupRetentionDays} -delete`,
      'ls -l /backups',
    ].join('\n');
    const restoreScript = [
      readPassword,
      `file="\${BACKUP_FILE:-$(ls -1t ${backupDir}/*.sql.gz | head -n 1)}"`,
      'echo "restoring $file"',
      'gunzip -c "$file" | psql --set ON_ERROR_STOP=1 --single-transaction',
    ].join('\n');

    // A Job's pod template is immutable, so the file to restore is chosen here: empty means the newest dump.
    addObject(
      this,
      'restore-choice',
      new ConfigMap({ metadata: { name: this.restoreName, labels: this.restorePodLabels }, data: { BACKUP_FILE: '' } }),
    );
    for (const name of [this.backupName, this.restoreName]) {
      addServiceAccount(this, name, componentLabels(name), `${name}-service-account`);
    }
    addObject(
      this,
      'backup',
      new CronJob({
        metadata: {
          name: this.backupName,
          labels: this.backupPodLabels,
          annotations: exemptionAnnotations(pinnedImagePullPolicy, noCpuLimit),
        },
        spec: {
          schedule: dataWorkloads.backupSchedule,
          timeZone: 'Etc/UTC',
          concurrencyPolicy: 'Forbid',
          startingDeadlineSeconds: 3600,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels: this.backupPodLabels },
            spec: {
              backoffLimit: 2,
              activeDeadlineSeconds: dataWorkloads.backupDeadlineSeconds,
              template: {
                metadata: { labels: this.backupPodLabels },
                spec: podSpec(this.backupName, backupScript, false),
              },
            },
          },
        },
      }),
    );
    addObject(
      this,
      'restore',
      new Job({
        metadata: {
          name: this.restoreName,
          labels: this.restorePodLabels,
          annotations: exemptionAnnotations(pinnedImagePullPolicy, noCpuLimit),
        },
        spec: {
          // Committed suspended: applying the manifests never restores; an operator un-suspends it on purpose.
          suspend: true,
          backoffLimit: 0,
          activeDeadlineSeconds: dataWorkloads.backupDeadlineSeconds,
          template: {
            metadata: { labels: this.restorePodLabels },
            spec: { ...podSpec(this.restoreName, restoreScript, true, this.restoreName), restartPolicy: 'Never' },
          },
        },
      }),
    );
  }
}
