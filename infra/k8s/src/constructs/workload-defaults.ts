import {
  configMountPath,
  type Resources,
  restrictedSecurityContext,
  secretMountPath,
  shutdown,
} from '@homelab/platform';
import type {
  IContainer,
  IPodSecurityContext,
  IPodSpec,
  ISecurityContext,
  IVolume,
  IVolumeMount,
} from 'kubernetes-models/v1';

/** The Pod Security "restricted" pod-level context, with the platform's non-root identity (a fresh copy). */
export const restrictedPodSecurityContext = (): IPodSecurityContext => {
  const { pod } = restrictedSecurityContext;
  return { ...pod, seccompProfile: { ...pod.seccompProfile } };
};

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

/** The Pod Security "restricted" container context plus a read-only root filesystem (a fresh copy). */
export const restrictedContainerSecurityContext = (): ISecurityContext => {
  const { container } = restrictedSecurityContext;
  return {
    ...container,
    capabilities: { drop: [...container.capabilities.drop] },
    seccompProfile: { ...container.seccompProfile },
  };
};

/**
 * Requests for CPU, memory and ephemeral storage; limits for memory and ephemeral storage only. No CPU limit on
 * purpose (ADR 0003): throttling adds tail latency while the node has idle CPU.
 */
export const containerResources = (r: Resources): IContainer['resources'] => ({
  requests: { cpu: r.cpuRequest, memory: r.memoryRequest, 'ephemeral-storage': r.ephemeralStorage },
  limits: { memory: r.memoryLimit, 'ephemeral-storage': r.ephemeralStorage },
});

/**
 * A container as every container of the platform runs: image pulled only when absent (the tag is pinned to a
 * digest), restricted security context, resources without a CPU limit. `container` may override the pull policy.
 */
export const restrictedContainer = (
  container: Omit<IContainer, 'resources' | 'securityContext'> & { readonly image: string },
  resources: Resources,
): IContainer => ({
  imagePullPolicy: 'IfNotPresent',
  ...container,
  resources: containerResources(resources),
  securityContext: restrictedContainerSecurityContext(),
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

/**
 * A ConfigMap mounted read-only under the platform's config path. The kubelet refreshes the files when the
 * ConfigMap changes (within its sync period), so a pod sees data another writer keeps there without a restart.
 */
export const configMapVolume = (configMapName: string): { volume: IVolume; mount: IVolumeMount } => ({
  volume: { name: `config-${configMapName}`, configMap: { name: configMapName, defaultMode: 0o444, optional: true } },
  mount: { name: `config-${configMapName}`, mountPath: `${configMountPath}/${configMapName}`, readOnly: true },
});

/** The native preStop sleep (Kubernetes >= 1.30): no `sleep` binary needed in a distroless image. */
export const preStopSleep = (): IContainer['lifecycle'] => ({
  preStop: { sleep: { seconds: shutdown.preStopSeconds } },
});
