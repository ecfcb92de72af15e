import { type AppName, apps, canary, canaryGate, namespaces } from '@homelab/platform';
import { type KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { CanaryNotReadyError, type RolloutRecord, type TrafficDriver } from './traffic-driver.ts';

export interface ClusterDriverOptions {
  /** Built from the deployer ServiceAccount's token, never the ambient kubeconfig (least privilege). */
  readonly kubeConfig: KubeConfig;
  readonly namespace?: string;
  /**
   * How long the canary's start and a promotion wait for the Deployment to roll out the new image. Default 300 s.
   * A rollout the Deployment controller already declared stuck (ProgressDeadlineExceeded) ends the wait sooner.
   */
  readonly rolloutTimeoutMs?: number;
  /** Polling interval while waiting (the deployer may get, not watch). Default 1000 ms. */
  readonly pollMs?: number;
}

interface BackendRef {
  name: string;
  weight?: number;
  [key: string]: unknown;
}
interface HttpRoute {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec: { rules?: { backendRefs?: BackendRef[]; [key: string]: unknown }[]; [key: string]: unknown };
}
interface Deployment {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; generation?: number };
  spec: { replicas?: number; template?: { spec?: { containers?: { name: string; image?: string }[] } } };
  status?: {
    observedGeneration?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    replicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/** Server-side apply's field manager: every change the gate makes is owned by this name. */
export const fieldManager = 'homelab-deploy';

/**
 * The cluster's canary: the app's HTTPRoute backend weights and the `<app>-canary` Deployment's image and
 * replicas, changed by server-side apply through the deployer ServiceAccount. The rollout record is an
 * annotation on the HTTPRoute (written in the same apply as the weights, so weights and record never disagree).
 */
export function clusterDriver(options: ClusterDriverOptions): TrafficDriver {
  const client = KubernetesObjectApi.makeApiClient(options.kubeConfig);
  const namespace = options.namespace ?? namespaces.apps;
  const annotation = canaryGate.annotations.rollout;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const apply = <T extends { apiVersion: string; kind: string; metadata: { name: string } }>(object: T) =>
    client.patch(
      { ...object, metadata: { ...object.metadata, namespace } },
      undefined,
      undefined,
      fieldManager,
      // The weights and images were first written by cdk8s/Pulumi; the deployer takes them over by design.
      true,
      PatchStrategy.ServerSideApply,
    );
  const readRoute = (app: AppName) =>
    client.read<HttpRoute>({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: app, namespace },
    });
  const readDeployment = (name: string) =>
    client.read<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace } });
  const canaryName = (app: AppName) => `${app}${canary.suffix}`;

  /** Weights and record in one apply. `rules` is an atomic list in the CRD, so the whole list is re-applied. */
  const applyRoute = async (record: RolloutRecord, weight: number) => {
    const route = await readRoute(record.app);
    const rules = (route.spec.rules ?? []).map((rule) => ({
      ...rule,
      backendRefs: (rule.backendRefs ?? []).map((ref) => ({
        ...ref,
        weight: ref.name === canaryName(record.app) ? weight : 100 - weight,
      })),
    }));
    await apply({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: record.app, annotations: { [annotation]: JSON.stringify({ ...record, weight }) } },
      spec: { rules },
    });
  };
  /**
   * Server-side apply keeps exactly what an applier sends: a field this manager owned and leaves out is removed
   * (the API server then refuses a container without an image). So each apply sends the manager's whole intent:
   * stable, only its image (the HPA owns its replicas); the canary, always image and replicas together.
   */
  const applyDeployment = async (name: string, app: AppName, fields: { image: string; replicas?: number }) => {
    await apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        ...(fields.replicas !== undefined ? { replicas: fields.replicas } : {}),
        template: { spec: { containers: [{ name: apps[app].name, image: fields.image }] } },
      },
    });
  };
  const applyCanary = async (app: AppName, fields: { image?: string; replicas?: number }) => {
    const current = await readDeployment(canaryName(app));
    const image =
      fields.image ?? current.spec.template?.spec?.containers?.find((c) => c.name === apps[app].name)?.image;
    if (!image) throw new Error(`deployment ${canaryName(app)} has no ${apps[app].name} container image`);
    await applyDeployment(canaryName(app), app, { image, replicas: fields.replicas ?? current.spec.replicas ?? 0 });
  };
  /** Resolves undefined once rolled out, or with why it never will be (stuck past its deadline, or timed out). */
  const waitRolledOut = async (name: string, image: string): Promise<string | undefined> => {
    const deadline = Date.now() + (options.rolloutTimeoutMs ?? 300_000);
    for (;;) {
      const d = await readDeployment(name);
      const s = d.status ?? {};
      const want = d.spec.replicas ?? 1;
      const imageSet = d.spec.template?.spec?.containers?.some((c) => c.image === image);
      // Only a status that has seen this spec counts: a condition left from an earlier rollout says nothing yet.
      const observed = (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
      if (imageSet && observed && (s.updatedReplicas ?? 0) >= want && (s.availableReplicas ?? 0) >= want) {
        return undefined;
      }
      // The Deployment controller's own verdict (what KubeDeploymentRolloutStuck alerts on): no need to wait longer.
      const stuck = s.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
      if (imageSet && observed && stuck) {
        return `${s.availableReplicas ?? 0} of ${want} available, Progressing=False ProgressDeadlineExceeded: ${stuck.message ?? ''}`;
      }
      if (Date.now() > deadline) {
        return `${s.availableReplicas ?? 0} of ${want} available after ${options.rolloutTimeoutMs ?? 300_000} ms`;
      }
      await sleep(options.pollMs ?? 1000);
    }
  };

  return {
    description: `cluster namespace ${namespace} as ${options.kubeConfig.getCurrentUser()?.name ?? 'current user'}`,
    async recorded(app) {
      const route = await readRoute(app);
      const text = route.metadata.annotations?.[annotation];
      return text ? (JSON.parse(text) as RolloutRecord) : undefined;
    },
    async start(record) {
      const stable = await readDeployment(record.app);
      const previousImage = stable.spec.template?.spec?.containers?.find(
        (c) => c.name === apps[record.app].name,
      )?.image;
      const withPrevious = { ...record, previousImage: record.previousImage ?? previousImage };
      await applyRoute(withPrevious, 0);
      await applyCanary(record.app, { image: record.image, replicas: Math.max(1, apps[record.app].replicas.min - 1) });
      const stuck = await waitRolledOut(canaryName(record.app), record.image);
      if (stuck) throw new CanaryNotReadyError(`deployment ${canaryName(record.app)} never became ready: ${stuck}`);
    },
    async setWeight(record, weight) {
      await applyRoute(record, weight);
    },
    async canaryNotReady(record) {
      const d = await readDeployment(canaryName(record.app));
      const want = d.spec.replicas ?? 0;
      const available = d.status?.availableReplicas ?? 0;
      return want > 0 && available < want
        ? `deployment ${canaryName(record.app)}: ${available} of ${want} replicas available`
        : undefined;
    },
    async promote(record) {
      await applyRoute({ ...record, phase: 'promoting' }, record.weight);
      // Stable takes the new image while the canary still carries the traffic it earned; only then do the
      // weights return to stable, so no request lands on a version that is not ready.
      await applyDeployment(record.app, record.app, { image: record.image });
      const stuck = await waitRolledOut(record.app, record.image);
      // Left in `promoting`: a re-run finishes the promotion once the rollout completes.
      if (stuck) throw new Error(`deployment ${record.app} did not roll out ${record.image}: ${stuck}`);
      await applyRoute({ ...record, phase: 'promoting' }, 0);
      await applyCanary(record.app, { replicas: 0 });
      await applyRoute({ ...record, phase: 'promoted' }, 0);
    },
    async rollback(record) {
      await applyRoute({ ...record, phase: 'rolling-back' }, 0);
      await applyCanary(record.app, { replicas: 0 });
      await applyRoute({ ...record, phase: 'rolled-back' }, 0);
    },
  };
}
