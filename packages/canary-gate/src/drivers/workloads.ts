import { type KubeClients, serverSideApply } from '@homelab/cluster';
import type { V1Deployment } from '@kubernetes/client-node';

/**
 * The Deployments a cluster rollout changes, by name (after Flagger's workload controllers: the driver's steps
 * depend on this, not on a client).
 */
export interface Workloads {
  read(name: string): Promise<V1Deployment>;
  /**
   * Writes the applier's whole intent for the Deployment: the one container's image, and replicas when given.
   * Server-side apply keeps exactly what an applier sends: a field this manager owned and leaves out is removed
   * (the API server then refuses a container without an image). So stable gets only its image (the HPA owns its
   * replicas); the canary always image and replicas together.
   */
  apply(name: string, fields: WorkloadFields): Promise<void>;
}

export interface WorkloadFields {
  readonly container: string;
  readonly image: string;
  /** Left out: the field is not the applier's (stable's replicas belong to its HPA). */
  readonly replicas?: number;
}

/** The image of the named container in a Deployment's pod template. */
export const containerImage = (deployment: V1Deployment, container: string): string | undefined =>
  deployment.spec?.template.spec?.containers.find((c) => c.name === container)?.image;

/** `Workloads` as apps/v1 Deployments in one namespace, written by server-side apply as `fieldManager`. */
export function deploymentWorkloads(
  clients: Pick<KubeClients, 'objects'>,
  namespace: string,
  fieldManager: string,
): Workloads {
  return {
    read: (name) =>
      clients.objects.read<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace } }),
    async apply(name, fields) {
      await serverSideApply(
        clients.objects,
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace },
          spec: {
            ...(fields.replicas !== undefined ? { replicas: fields.replicas } : {}),
            template: { spec: { containers: [{ name: fields.container, image: fields.image }] } },
          },
        },
        fieldManager,
      );
    },
  };
}
