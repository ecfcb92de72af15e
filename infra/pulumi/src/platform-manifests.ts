import type * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { AddonName, ManifestStages } from './manifests.ts';
import { applyObjects } from './object-group.ts';

export interface PlatformManifestsArgs {
  /** The synthesized objects, staged; the namespaces stage is applied by PlatformNamespaces. */
  readonly stages: Pick<ManifestStages, 'builtIn' | 'custom'>;
  /** The Helm release that installs each add-on's CRDs (and runs its operator). */
  readonly releases: Readonly<Record<AddonName, pulumi.Resource>>;
}

export interface PlatformManifestsOptions extends pulumi.ComponentResourceOptions {
  readonly provider: k8s.Provider;
  /** What every object waits for: the namespaces and the Secrets. */
  readonly dependsOn?: pulumi.Resource[];
}

/**
 * Applies the synthesized manifests in dependency order: built-in objects once the namespaces, Secrets and
 * add-ons are in place (so no NetworkPolicy lands while a chart's hooks still run), and each add-on's custom
 * resources only after the release that installs their CRDs. Custom resources do not wait for the built-in
 * workloads: an app's readiness can need its route, and waiting on it would deadlock the first run.
 */
export class PlatformManifests extends pulumi.ComponentResource {
  readonly builtIn: k8s.yaml.ConfigGroup;
  readonly custom: ReadonlyMap<AddonName, k8s.yaml.ConfigGroup>;

  constructor(name: string, args: PlatformManifestsArgs, opts: PlatformManifestsOptions) {
    super('homelab:manifests:PlatformManifests', name, {}, opts);
    const { provider } = opts;
    const after = opts.dependsOn ?? [];
    const deletedWith = opts.deletedWith ? { deletedWith: opts.deletedWith } : {};
    this.builtIn = applyObjects(`${name}-built-in`, args.stages.builtIn, {
      parent: this,
      provider,
      dependsOn: [...after, ...Object.values(args.releases)],
      ...deletedWith,
    });
    const custom = new Map<AddonName, k8s.yaml.ConfigGroup>();
    for (const [addon, objects] of args.stages.custom) {
      custom.set(
        addon,
        applyObjects(`${name}-${addon}-resources`, objects, {
          parent: this,
          provider,
          dependsOn: [...after, args.releases[addon]],
          ...deletedWith,
        }),
      );
    }
    this.custom = custom;
    pulumi.log.info(
      `${args.stages.builtIn.length} built-in objects after the add-ons; custom resources after their CRDs: ${[...args.stages.custom].map(([addon, objects]) => `${objects.length} for ${addon}`).join(', ')}`,
      this,
    );
    this.registerOutputs({
      builtInObjects: args.stages.builtIn.length,
      customObjects: Object.fromEntries([...args.stages.custom].map(([addon, objects]) => [addon, objects.length])),
    });
  }
}
