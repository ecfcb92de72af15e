/**
 * A reviewed exception to a static checker, written on the object it applies to. Each exemption carries its
 * reason as an annotation (`exemptions.homelab.dev/<check>`, or inside Checkov's own skip annotation), and a test
 * holds that no ignore comes without one.
 */
export interface Exemption {
  /** kube-score check ids (`kube-score list`). */
  readonly kubeScore?: readonly string[];
  /** kube-linter check names. */
  readonly kubeLinter?: readonly string[];
  /** Polaris check ids. */
  readonly polaris?: readonly string[];
  /** Checkov check ids (`CKV_K8S_*`). */
  readonly checkov?: readonly string[];
  readonly reason: string;
}

export const reasonAnnotationPrefix = 'exemptions.homelab.dev/';

/** The annotations that make each checker skip the listed checks on this object, with the reasons. */
export const exemptionAnnotations = (...exemptions: readonly Exemption[]): Record<string, string> => {
  const annotations: Record<string, string> = {};
  const kubeScore: string[] = [];
  let checkovIndex = 0;
  for (const exemption of exemptions) {
    if (exemption.reason.trim().length < 20) throw new Error(`exemption reason "${exemption.reason}" is too short`);
    for (const check of exemption.kubeScore ?? []) {
      kubeScore.push(check);
      annotations[`${reasonAnnotationPrefix}${check}`] = exemption.reason;
    }
    for (const check of exemption.kubeLinter ?? []) {
      annotations[`ignore-check.kube-linter.io/${check}`] = exemption.reason;
    }
    for (const check of exemption.polaris ?? []) {
      annotations[`polaris.fairwinds.com/${check}-exempt`] = 'true';
      annotations[`${reasonAnnotationPrefix}${check}`] = exemption.reason;
    }
    for (const check of exemption.checkov ?? []) {
      checkovIndex += 1;
      annotations[`checkov.io/skip${checkovIndex}`] = `${check}=${exemption.reason}`;
    }
  }
  if (kubeScore.length > 0) annotations['kube-score/ignore'] = [...new Set(kubeScore)].sort().join(',');
  return annotations;
};

/** Pinned images are pulled once: a digest cannot change under the same reference. */
export const pinnedImagePullPolicy: Exemption = {
  kubeScore: ['container-image-pull-policy'],
  polaris: ['pullPolicyNotAlways'],
  checkov: ['CKV_K8S_15'],
  reason:
    'images are pinned by digest (third-party in versions.json, apps by the deploy), so IfNotPresent cannot run a different image and spares the mini PC a registry round-trip per start',
};

/**
 * ADR 0003: no CPU limit. kube-score's CPU-limit finding is part of its `container-resources` check, which also
 * guards memory, so it is switched off by its own flag (`--ignore-container-cpu-limit`) instead of here.
 */
export const noCpuLimit: Exemption = {
  checkov: ['CKV_K8S_11'],
  polaris: ['cpuLimitsMissing'],
  reason:
    'ADR 0003: no CPU limit; CFS throttling adds tail latency while the node has idle CPU, the memory limit and the HPA bound the pod instead',
};

/** The apps' own images carry a release tag in git; the deploy resolves and pins the digest. */
export const appImageDigestAtDeploy: Exemption = {
  checkov: ['CKV_K8S_43'],
  reason:
    'own app image: CI builds it after this commit, so its digest cannot be in git; the deploy sets image@sha256 (ADR 0032)',
};

/** The canary Deployment is scaled from zero by the deploy. */
export const canaryAtZero: Exemption = {
  kubeScore: ['deployment-replicas'],
  polaris: ['deploymentMissingReplicas'],
  reason: 'canary track: zero replicas until the canary workflow scales it for a rollout (stable track has >= 2)',
};

/** Pods the NetworkPolicies select are created by a controller from Gateway objects, not by these manifests. */
export const controllerCreatedPods: Exemption = {
  kubeScore: ['networkpolicy-targets-pod'],
  reason:
    'selects the Envoy proxy and Envoy Gateway pods, which the Envoy Gateway controller and Helm chart create, not these manifests',
};
