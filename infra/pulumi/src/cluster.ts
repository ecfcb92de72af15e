import { readFileSync } from 'node:fs';
import { defaultStorageClass } from '@homelab/platform';
import * as command from '@pulumi/command';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { k3sCreate, k3sDelete, kindCreate, kindDelete } from './cluster-scripts.ts';
import { k3sInstallScriptUrl, k3sServerFlags } from './k3s-install.ts';
import { kindConfigYaml } from './kind-config.ts';
import type { ClusterFlavour } from './stack-settings.ts';

export interface ClusterArgs {
  /** Plain, not an Input: it decides which resources exist. */
  readonly flavour: ClusterFlavour;
  readonly clusterName: pulumi.Input<string>;
  /** kind: the kindest/node image pinned by digest. */
  readonly kindNodeImage: pulumi.Input<string>;
  /** k3s: the pinned release, checked against (or installed as) the running k3s. */
  readonly k3sVersion: pulumi.Input<string>;
  /** k3s: run the pinned installer; false: use the k3s already on the machine. */
  readonly k3sInstall: pulumi.Input<boolean>;
  readonly k3sKubeconfig: pulumi.Input<string>;
  /** existing: the kubeconfig file of the cluster (read at run time; its contents become a secret). */
  readonly kubeconfigFile?: string;
}

const flavourNotes: Readonly<Record<ClusterFlavour, string>> = {
  kind: 'kind cluster: created once (about a minute), reused on every later run; host ports 80/443 lead to the gateway',
  k3s: 'k3s: the kubeconfig of the k3s on this machine (installed first when homelab:k3sInstall is true)',
  existing:
    'existing cluster: the kubeconfig file from homelab:kubeconfig (its current context); nothing is created or deleted outside it',
};

/** Components do not pass `dependsOn` on to their children: the cluster command gets it (the Preflight). */
export interface ClusterOptions extends pulumi.ComponentResourceOptions {
  readonly dependsOn?: pulumi.Resource[];
}

/**
 * The Kubernetes cluster: kind (default, in Docker) or k3s (on the host), created by local commands that are
 * safe to re-run, or an existing cluster given by its kubeconfig file; and the explicit provider every Kubernetes
 * resource of the program uses.
 */
export class Cluster extends pulumi.ComponentResource {
  readonly flavour: ClusterFlavour;
  /** Admin kubeconfig, a secret. */
  readonly kubeconfig: pulumi.Output<string>;
  /** Built from `kubeconfig`; never the ambient ~/.kube/config. */
  readonly provider: k8s.Provider;
  /**
   * kind: the command that owns the cluster. Everything inside is `deletedWith` it, so `pulumi destroy` deletes
   * the cluster in one step instead of uninstalling each release first. k3s: undefined (the host stays, so
   * every object is deleted on its own).
   */
  readonly deletedWith?: pulumi.Resource;
  /**
   * What the program adds to the cluster itself that workloads need first (kind: the `local-path` StorageClass).
   * A claim created before its class cannot learn the class's WaitForFirstConsumer mode, and the provider then
   * waits for a binding that only a consuming pod would trigger.
   */
  readonly storage: pulumi.Resource[] = [];

  constructor(name: string, args: ClusterArgs, opts?: ClusterOptions) {
    super('homelab:cluster:Cluster', name, {}, opts);
    this.flavour = args.flavour;
    const commandOptions: pulumi.CustomResourceOptions = {
      parent: this,
      dependsOn: opts?.dependsOn ?? [],
      additionalSecretOutputs: ['stdout'],
      // The cluster's name is fixed, so a replacement must delete the old cluster before creating the new one;
      // create-before-delete would find the old cluster, reuse it, then delete it.
      deleteBeforeReplace: true,
    };
    const logging = command.types.enums.local.Logging.Stderr;

    if (args.flavour === 'existing') {
      if (!args.kubeconfigFile) throw new Error('Cluster: flavour "existing" needs kubeconfigFile');
      // Read here rather than handed to the provider as a path: the provider then never falls back to the
      // ambient ~/.kube/config, and the file's credentials stay a secret in the state.
      this.kubeconfig = pulumi.secret(readFileSync(args.kubeconfigFile, 'utf8'));
    } else {
      const created = this.createCommand(name, args, commandOptions, logging);
      this.kubeconfig = pulumi.secret(created.stdout);
      if (args.flavour === 'kind') this.deletedWith = created;
    }
    this.provider = new k8s.Provider(
      `${name}-provider`,
      {
        kubeconfig: this.kubeconfig,
        // `pulumi destroy` after the cluster is already gone (deleted by hand, machine rebuilt) drops the
        // resources from the state instead of failing on an unreachable API.
        deleteUnreachable: true,
        enableServerSideApply: true,
        // The manifests name their ConfigMaps (no content hash), so a changed value must update the object in
        // place; the provider's default treats ConfigMaps as immutable and replaces them (found by the real run).
        enableConfigMapMutable: true,
      },
      { parent: this },
    );
    if (args.flavour === 'kind' && this.deletedWith) {
      // The manifests ask for k3s's `local-path` class; kind ships the same provisioner under the name
      // `standard`, so one more class with that provisioner makes the same manifests bind on kind.
      const storageClass = new k8s.storage.v1.StorageClass(
        `${name}-local-path`,
        {
          metadata: { name: defaultStorageClass },
          provisioner: 'rancher.io/local-path',
          reclaimPolicy: 'Delete',
          volumeBindingMode: 'WaitForFirstConsumer',
        },
        { parent: this, provider: this.provider, deletedWith: this.deletedWith },
      );
      this.storage.push(storageClass);
    }
    pulumi.log.info(flavourNotes[args.flavour], this);
    this.registerOutputs({ flavour: this.flavour, kubeconfig: this.kubeconfig });
  }

  /** kind or k3s: the local command that creates (or reuses) the cluster and prints its kubeconfig. */
  private createCommand(
    name: string,
    args: ClusterArgs,
    commandOptions: pulumi.CustomResourceOptions,
    logging: command.types.enums.local.Logging,
  ): command.local.Command {
    return args.flavour === 'kind'
      ? (() => {
          const config = pulumi
            .all([args.clusterName, args.kindNodeImage])
            .apply(([clusterName, nodeImage]) => kindConfigYaml({ clusterName, nodeImage }));
          return new command.local.Command(
            `${name}-kind`,
            {
              create: kindCreate,
              delete: kindDelete,
              stdin: config,
              environment: { KIND_CLUSTER: args.clusterName, KIND_NODE_IMAGE: args.kindNodeImage },
              // A new node image or port mapping needs a new cluster: kind cannot change a running one.
              triggers: [args.kindNodeImage, config],
              logging,
            },
            commandOptions,
          );
        })()
      : new command.local.Command(
          `${name}-k3s`,
          {
            create: k3sCreate,
            // A new pinned version re-runs the installer in place: k3s upgrades itself and keeps its data.
            // No `triggers`: a replacement would uninstall k3s (its delete) and wipe the cluster.
            update: k3sCreate,
            delete: k3sDelete,
            environment: {
              K3S_VERSION: args.k3sVersion,
              K3S_INSTALL: pulumi.output(args.k3sInstall).apply(String),
              K3S_INSTALL_URL: pulumi.output(args.k3sVersion).apply(k3sInstallScriptUrl),
              K3S_FLAGS: k3sServerFlags.join(' '),
              K3S_KUBECONFIG: args.k3sKubeconfig,
            },
            logging,
          },
          commandOptions,
        );
  }
}
