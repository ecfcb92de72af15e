import { dataWorkloads, secretNames } from '@homelab/platform';
import { Construct } from 'constructs';
import { Job } from 'kubernetes-models/batch/v1';
import { addObject } from './api-object.ts';
import { appImageDigestAtDeploy, exemptionAnnotations, noCpuLimit, pinnedImagePullPolicy } from './exemptions.ts';
import { componentLabels } from './labels.ts';
import { chartPods, type PodPeer } from './peers.ts';
import { isolatedPod, restrictedContainer, secretVolume, tmpVolume } from './workload-defaults.ts';
import { addServiceAccount } from './workload-objects.ts';

export interface MigrationJobProps {
  /** The API image; the Job runs its migration entry point. */
  readonly image: string;
  /** Default `node src/migrate.ts` (the TypeScript image); `apiImplementations[impl].migrateCommand` otherwise. */
  readonly command?: readonly string[];
}

/**
 * The API's schema migration as a Job (`node src/migrate.ts`). The deploy runs it before rolling the API; a Job's
 * pod template is immutable, so the deploy replaces the Job rather than patching it.
 */
export class MigrationJob extends Construct {
  readonly name = 'api-migration';
  readonly podLabels = componentLabels('api-migration');
  readonly pods: PodPeer;

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    this.pods = chartPods(this, this.name, this.podLabels);
    const labels = this.podLabels;
    const tmp = tmpVolume();
    const database = secretVolume(secretNames.apiDatabase);
    addServiceAccount(this, this.name, labels);
    addObject(
      this,
      'job',
      new Job({
        metadata: {
          name: this.name,
          labels,
          annotations: exemptionAnnotations(pinnedImagePullPolicy, noCpuLimit, appImageDigestAtDeploy),
        },
        spec: {
          backoffLimit: dataWorkloads.migration.backoffLimit,
          activeDeadlineSeconds: dataWorkloads.migration.activeDeadlineSeconds,
          template: {
            metadata: { labels },
            spec: {
              ...isolatedPod(this.name),
              restartPolicy: 'OnFailure',
              containers: [
                restrictedContainer(
                  {
                    name: 'migrate',
                    image: props.image,
                    command: [...(props.command ?? ['node', 'src/migrate.ts'])],
                    // The service kit reads DATABASE_URL from the mounted Secret file DATABASE_URL_FILE names.
                    env: [{ name: 'DATABASE_URL_FILE', value: `${database.mount.mountPath}/url` }],
                    volumeMounts: [tmp.mount, database.mount],
                  },
                  dataWorkloads.jobResources,
                ),
              ],
              volumes: [tmp.volume, database.volume],
            },
          },
        },
      }),
    );
  }
}
