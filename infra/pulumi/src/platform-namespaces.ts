import type * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { KubeObject } from './manifests.ts';
import { applyObjects } from './object-group.ts';

export interface PlatformNamespacesArgs {
  /** The Namespace objects of the synthesized manifests (their Pod Security labels included). */
  readonly namespaces: readonly KubeObject[];
}

export interface PlatformNamespacesOptions extends pulumi.ComponentResourceOptions {
  readonly provider: k8s.Provider;
  readonly dependsOn?: pulumi.Resource[];
}

/**
 * The platform's namespaces, first of all: the add-ons install into two of them (monitoring, edge) and the
 * deploy-time Secrets live in them, so they come from the manifests before anything else.
 */
export class PlatformNamespaces extends pulumi.ComponentResource {
  readonly group: k8s.yaml.ConfigGroup;

  constructor(name: string, args: PlatformNamespacesArgs, opts: PlatformNamespacesOptions) {
    super('homelab:manifests:PlatformNamespaces', name, {}, opts);
    if (args.namespaces.some((o) => o.kind !== 'Namespace')) {
      throw new Error('PlatformNamespaces takes Namespace objects only');
    }
    this.group = applyObjects(name, args.namespaces, {
      parent: this,
      provider: opts.provider,
      dependsOn: opts.dependsOn ?? [],
      ...(opts.deletedWith ? { deletedWith: opts.deletedWith } : {}),
    });
    this.registerOutputs({ names: args.namespaces.map((n) => n.metadata.name) });
  }
}
