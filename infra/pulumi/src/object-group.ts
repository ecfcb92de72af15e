import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { KubeObject } from './manifests.ts';

export interface ObjectGroupOptions {
  readonly parent: pulumi.Resource;
  readonly provider: k8s.Provider;
  readonly dependsOn: readonly pulumi.Resource[];
  /** kind: the cluster itself; deleting it deletes the objects, so destroy skips them one by one. */
  readonly deletedWith?: pulumi.Resource;
}

/**
 * Applies objects as one client-side ConfigGroup whose every object carries the explicit provider and the
 * group's dependencies: a ConfigGroup's children would otherwise inherit neither `dependsOn` nor, explicitly,
 * the provider. Client-side (yaml v1) on purpose, see ADR 0052.
 */
export function applyObjects(name: string, objects: readonly KubeObject[], options: ObjectGroupOptions) {
  const dependsOn = [...options.dependsOn];
  return new k8s.yaml.ConfigGroup(
    name,
    {
      objs: objects.map((object) => structuredClone(object)),
      transformations: [
        (_object: unknown, childOptions: pulumi.CustomResourceOptions) => {
          childOptions.provider = options.provider;
          childOptions.dependsOn = dependsOn;
          if (options.deletedWith) childOptions.deletedWith = options.deletedWith;
        },
      ],
    },
    {
      parent: options.parent,
      provider: options.provider,
      dependsOn,
      ...(options.deletedWith ? { deletedWith: options.deletedWith } : {}),
    },
  );
}
