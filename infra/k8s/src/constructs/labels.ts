import { k8sLabels, type Track } from '@homelab/platform';

/** The labels that identify one component's pods; Services, PDBs and policies select by these. */
export const componentLabels = (name: string): Record<string, string> => ({ [k8sLabels.name]: name });

/** An app's pods on one track: the stable and canary Deployments of one app differ only here. */
export const trackLabels = (name: string, track: Track): Record<string, string> => ({
  ...componentLabels(name),
  [k8sLabels.track]: track,
});
