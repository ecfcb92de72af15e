import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { versions } from '@homelab/platform';
import type * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { parseAllDocuments } from 'yaml';
import { type AddonName, crdOwners, type KubeObject } from './manifests.ts';
import { applyObjects } from './object-group.ts';

/** Every CustomResourceDefinition in the YAML files under `directory` (any depth), in path order. */
export function loadCrds(directory: string): KubeObject[] {
  const files = (readdirSync(directory, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.yaml') || file.endsWith('.yml'))
    .sort();
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(directory, file), 'utf8'))
      .map((document) => document.toJS() as KubeObject | null)
      .filter((object): object is KubeObject => object?.kind === 'CustomResourceDefinition'),
  );
}

/**
 * Sorts CRDs by the add-on whose chart installs them (crdOwners). A CRD of a group no add-on owns is an error that
 * names it: it would mean the directory holds another release's CRDs than the pinned charts'.
 */
export function crdsByAddon(crds: readonly KubeObject[]): Map<AddonName, KubeObject[]> {
  const byAddon = new Map<AddonName, KubeObject[]>();
  for (const crd of crds) {
    const group = (crd.spec as { group?: string } | undefined)?.group ?? '';
    const owner = crdOwners[group];
    if (!owner) throw new Error(`CRD ${crd.metadata.name}: no add-on of versions.json installs API group "${group}"`);
    byAddon.set(owner, [...(byAddon.get(owner) ?? []), crd]);
  }
  return byAddon;
}

export interface AddonCrdsArgs {
  /** The directory of the add-ons' CRD YAML, e.g. the one scripts/k8s-tools.sh fills from the pinned modules. */
  readonly directory: string;
}

export interface AddonCrdsOptions extends pulumi.ComponentResourceOptions {
  readonly provider: k8s.Provider;
  readonly dependsOn?: pulumi.Resource[];
}

/**
 * The add-ons reduced to their CRDs (`homelab:addons crds`): what the platform's custom resources need to be
 * accepted, with no operator, webhook or chart behind them. For a machine that cannot fetch Helm charts or pull
 * images (CI); the home path is PlatformAddons and the real charts. `releases` has one entry per add-on with
 * CRDs, so the custom resources wait for their definitions exactly as they wait for a release.
 */
export class AddonCrds extends pulumi.ComponentResource {
  readonly releases: Readonly<Partial<Record<AddonName, pulumi.Resource>>>;

  constructor(name: string, args: AddonCrdsArgs, opts: AddonCrdsOptions) {
    super('homelab:addons:AddonCrds', name, {}, opts);
    const byAddon = crdsByAddon(loadCrds(args.directory));
    const releases: Partial<Record<AddonName, pulumi.Resource>> = {};
    for (const [addon, crds] of byAddon) {
      releases[addon] = applyObjects(`${name}-${addon}`, crds, {
        parent: this,
        provider: opts.provider,
        dependsOn: opts.dependsOn ?? [],
        ...(opts.deletedWith ? { deletedWith: opts.deletedWith } : {}),
      });
    }
    this.releases = releases;
    pulumi.log.warn(
      `add-ons reduced to their CRDs (homelab:addons=crds): ${[...byAddon].map(([addon, crds]) => `${crds.length} of ${versions.charts[addon].chart} ${versions.charts[addon].version}`).join(', ')}; no Helm chart, operator or webhook is installed`,
      this,
    );
    this.registerOutputs({ crds: Object.fromEntries([...byAddon].map(([addon, crds]) => [addon, crds.length])) });
  }
}
