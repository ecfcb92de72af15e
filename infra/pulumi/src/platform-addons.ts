import { edge, monitoringStack, tls, versions } from '@homelab/platform';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  type AddonValuesOptions,
  certManagerValues,
  envoyGatewayValues,
  kubePrometheusStackValues,
  metricsServerValues,
} from './addon-values.ts';
import type { AddonName } from './manifests.ts';

export interface PlatformAddonsArgs {
  readonly values: AddonValuesOptions;
}

/**
 * Components do not pass `dependsOn` to their children, so it is a plain list here and every child gets it:
 * the namespaces and Secrets the charts need.
 */
export interface PlatformAddonsOptions extends pulumi.ComponentResourceOptions {
  readonly provider: k8s.Provider;
  readonly dependsOn?: pulumi.Resource[];
}

/** Chart coordinates from versions.json: an OCI chart is addressed by URL, an HTTP one through its repository. */
export function chartSource(name: AddonName): { chart: string; version: string; repositoryOpts?: { repo: string } } {
  const { repo, chart, version } = versions.charts[name];
  return repo.startsWith('oci://')
    ? { chart: `${repo}/${chart}`, version }
    : { chart, version, repositoryOpts: { repo } };
}

/**
 * The add-ons as Helm releases, every one pinned to versions.json. A release is ready only when Helm's wait and
 * hooks are done (operators and webhooks answering), which is what the custom resources that follow need.
 * `atomic` rolls a failed install back, so a re-run installs afresh instead of tripping over a half release.
 */
export class PlatformAddons extends pulumi.ComponentResource {
  readonly releases: Readonly<Record<AddonName, k8s.helm.v3.Release>>;

  constructor(name: string, args: PlatformAddonsArgs, opts: PlatformAddonsOptions) {
    super('homelab:addons:PlatformAddons', name, {}, opts);
    const { provider } = opts;
    const after = opts.dependsOn ?? [];
    const release = (
      addon: AddonName,
      releaseName: string,
      namespace: string,
      values: Record<string, unknown>,
      extra: { dependsOn?: pulumi.Resource[] } = {},
    ) =>
      new k8s.helm.v3.Release(
        `${name}-${releaseName}`,
        {
          name: releaseName,
          namespace,
          ...chartSource(addon),
          values,
          // Every namespace is the program's (PlatformNamespaces), so destroy removes it and nothing races it.
          createNamespace: false,
          atomic: true,
          cleanupOnFail: true,
          waitForJobs: true,
          skipAwait: false,
          // Seconds. Image pulls on a home connection dominate the first install.
          timeout: 900,
        },
        {
          parent: this,
          provider,
          dependsOn: [...after, ...(extra.dependsOn ?? [])],
          ...(opts.deletedWith ? { deletedWith: opts.deletedWith } : {}),
        },
      );

    // The release name is the label kube-prometheus-stack's Prometheus selects monitors and rules by.
    const kubePrometheusStack = release(
      'kubePrometheusStack',
      monitoringStack.releaseLabel.release,
      monitoringStack.namespace,
      kubePrometheusStackValues(args.values),
    );
    this.releases = {
      kubePrometheusStack,
      // cert-manager's ServiceMonitor needs the monitoring CRDs.
      // Its namespace is the program's (unownedNamespaces): the CA Certificate lives there too.
      certManager: release('certManager', 'cert-manager', tls.certManagerNamespace, certManagerValues(), {
        dependsOn: [kubePrometheusStack],
      }),
      envoyGateway: release('envoyGateway', 'envoy-gateway', edge.controllerNamespace, envoyGatewayValues()),
      metricsServer: release('metricsServer', 'metrics-server', 'kube-system', metricsServerValues(args.values)),
    };
    pulumi.log.info(
      `Helm releases ${(Object.keys(this.releases) as AddonName[]).map((a) => `${versions.charts[a].chart} ${versions.charts[a].version}`).join(', ')}; each waits until its pods, webhooks and hooks are ready (the first run pulls the images: minutes)`,
      this,
    );
    this.registerOutputs({
      releases: Object.fromEntries(Object.entries(this.releases).map(([k, r]) => [k, r.status])),
    });
  }
}
