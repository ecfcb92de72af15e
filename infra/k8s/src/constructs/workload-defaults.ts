import { podIdentity, type Resources, secretMountPath, shutdown } from '@homelab/platform';
import type {
  IContainer,
  IPodSecurityContext,
  IPodSpec,
  ISecurityContext,
  IVolume,
  IVolumeMount,
} from 'kubernetes-models/v1';

/** The Pod Security "restricted" pod-level context, with the platform's non-root identity. */
export const restrictedPodSecurityContext = (): IPodSecurityContext => ({
  runAsNonRoot: true,
  runAsUser: podIdentity.uid,
  runAsGroup: podIdentity.gid,
  fsGroup: podIdentity.gid,
  // Volumes are re-owned only when their root does not already match: a large PVC is not walked on every start.
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
});

/**
 * The pod-level isolation every pod of the platform shares: its own ServiceAccount with no API token mounted, no
 * Service environment variables, and the restricted security context.
 */
export const isolatedPod = (
  serviceAccountName: string,
): Pick<
  IPodSpec,
  'serviceAccountName' | 'automountServiceAccountToken' | 'enableServiceLinks' | 'securityContext'
> => ({
  serviceAccountName,
  automountServiceAccountToken: false,
  enableServiceLinks: false,
  securityContext: restrictedPodSecurityContext(),
});

/** The Pod Security "restricted" container context plus a read-only root filesystem. */
export const restrictedContainerSecurityContext = (): ISecurityContext => ({
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: podIdentity.uid,
  runAsGroup: podIdentity.gid,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});

/**
 * Requests for CPU, memory and ephemeral storage; limits for memory and ephemeral storage only. No CPU limit on
 * purpose (ADR 0003): throttling adds tail latency while the node has idle CPU.
 */
export const containerResources = (r: Resources): IContainer['resources'] => ({
  requests: { cpu: r.cpuRequest, memory: r.memoryRequest, 'ephemeral-storage': r.ephemeralStorage },
  limits: { memory: r.memoryLimit, 'ephemeral-storage': r.ephemeralStorage },
});

/** A writable /tmp on a read-only root filesystem, bounded so a runaway writer cannot fill the node. */
export const tmpVolume = (sizeLimit = '32Mi'): { volume: IVolume; mount: IVolumeMount } => ({
  volume: { name: 'tmp', emptyDir: { sizeLimit } },
  mount: { name: 'tmp', mountPath: '/tmp' },
});

/** A Secret mounted as files under the platform's secret path (never as env values). */
export const secretVolume = (secretName: string): { volume: IVolume; mount: IVolumeMount } => ({
  volume: { name: secretName, secret: { secretName, defaultMode: 0o440 } },
  mount: { name: secretName, mountPath: `${secretMountPath}/${secretName}`, readOnly: true },
});

/** The native preStop sleep (Kubernetes >= 1.30): no `sleep` binary needed in a distroless image. */
export const preStopSleep = (): IContainer['lifecycle'] => ({
  preStop: { sleep: { seconds: shutdown.preStopSeconds } },
});
