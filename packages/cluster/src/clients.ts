import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { Kube } from './kube.ts';
import { type KubeconfigSource, loadKubeConfig } from './kubeconfig-choice.ts';

/**
 * The one Kubernetes client set (ADR 0156): the typed @kubernetes/client-node APIs the packages read and write
 * through, all built from one kubeconfig. The raw `Kube` (kube.ts) stays beside it for what the typed client
 * cannot express faithfully (strict server-side apply of synthesized bytes, Warning headers, impersonation):
 * `clients.openRaw()`. Callers depend on small interfaces of their own (the gate's `Workloads` and
 * `Router`, triage's `ClusterFacts`), built from this set at their edge; no other package constructs a client-node
 * API class or loads a kubeconfig (tools/repo-checks kube-clients.test.ts).
 */
export interface KubeClients {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly autoscaling: AutoscalingV2Api;
  readonly discovery: DiscoveryV1Api;
  readonly custom: CustomObjectsApi;
  /** Any kind by apiVersion/kind, custom resources included (client-node's generic object API). */
  readonly objects: KubernetesObjectApi;
  /** The kubeconfig user the requests act as, for progress output (`current user` when it names none). */
  readonly user: string;
  /** The raw `Kube` for the same credentials (its own connection pool: the caller `close()`s it). */
  openRaw(): Promise<Kube>;
}

/** The client set of a kubeconfig already loaded, or of one to load (`loadKubeConfig`: a file, else kubectl's rules). */
export function kubeClients(source: KubeConfig | KubeconfigSource = {}): KubeClients {
  const config = source instanceof KubeConfig ? source : loadKubeConfig(source);
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    autoscaling: config.makeApiClient(AutoscalingV2Api),
    discovery: config.makeApiClient(DiscoveryV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(config),
    user: config.getCurrentUser()?.name ?? 'current user',
    openRaw: () => Kube.fromConfig(config),
  };
}

/**
 * Server-side apply through the object API as `fieldManager`, taking over fields another manager wrote (the gate
 * changes weights and images cdk8s/Pulumi first wrote, by design). Resolves to the object the server stored.
 */
export function serverSideApply<T extends KubernetesObject>(
  objects: KubernetesObjectApi,
  object: T,
  fieldManager: string,
): Promise<T> {
  return objects.patch(object, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
}

/**
 * A kubeconfig holding only a bearer token (a ServiceAccount's TokenRequest token) for the cluster `base` points
 * at: what the deploy workflow hands the gate, so it acts with that account's Role and nothing else.
 */
export function tokenKubeConfig(
  base: KubeConfig,
  identity: { readonly user: string; readonly token: string; readonly namespace?: string },
): KubeConfig {
  const cluster = base.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [cluster],
    users: [{ name: identity.user, token: identity.token }],
    contexts: [
      {
        name: identity.user,
        cluster: cluster.name,
        user: identity.user,
        ...(identity.namespace ? { namespace: identity.namespace } : {}),
      },
    ],
    currentContext: identity.user,
  });
  return config;
}
