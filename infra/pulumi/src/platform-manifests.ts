import type * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { AddonName, ManifestStages } from './manifests.ts';
import { applyObjects } from './object-group.ts';

export interface PlatformManifestsArgs {
  /** The synthesized objects, staged; the namespaces stage is applied by PlatformNamespaces. */
  readonly stages: Pick<ManifestStages, 'builtIn' | 'custom'>;
  /** What installs each add-on's CRDs: its Helm release (operator included), or the CRDs alone (AddonCrds). */
  readonly releases: Readonly<Partial<Record<AddonName, pulumi.Resource>>>;
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
    const releases = Object.values(args.releases).filter((r): r is pulumi.Resource => r !== undefined);
    const deletedWith = opts.deletedWith ? { deletedWith: opts.deletedWith } : {};
    this.builtIn = applyObjects(`${name}-built-in`, args.stages.builtIn, {
      parent: this,
      provider,
      dependsOn: [...after, ...releases],
      ...deletedWith,
    });
    const custom = new Map<AddonName, k8s.yaml.ConfigGroup>();
    for (const [addon, objects] of args.stages.custom) {
      const installer = args.releases[addon];
      if (!installer)
        throw new Error(`${objects.length} custom resources need ${addon}, but nothing installs its CRDs`);
      custom.set(
        addon,
        applyObjects(`${name}-${addon}-resources`, objects, {
          parent: this,
          provider,
          dependsOn: [...after, installer],
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
