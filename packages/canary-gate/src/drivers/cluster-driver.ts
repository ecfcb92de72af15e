import { type KubeClients, kubeClients, WaitTimeoutError, waitFor } from '@homelab/cluster';
import { type AppName, apps, canary, namespaces } from '@homelab/platform';
import type { KubeConfig } from '@kubernetes/client-node';
import { type RolloutState, rolloutState } from './rollout-state.ts';
import { httpRouteRouter, type Router } from './router.ts';
import { CanaryNotReadyError, type RolloutRecord, type TrafficDriver } from './traffic-driver.ts';
import { containerImage, deploymentWorkloads, type Workloads } from './workloads.ts';

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

/** Server-side apply's field manager: every change the gate makes is owned by this name. */
export const fieldManager = 'homelab-deploy';

/**
 * The cluster's canary: the app's HTTPRoute backend weights and the `<app>-canary` Deployment's image and
 * replicas, changed by server-side apply through the deployer ServiceAccount. The rollout record is an
 * annotation on the HTTPRoute (written in the same apply as the weights, so weights and record never disagree).
 */
export function clusterDriver(options: ClusterDriverOptions): TrafficDriver {
  const clients: KubeClients = kubeClients(options.kubeConfig);
  const namespace = options.namespace ?? namespaces.apps;
  return canaryDriver({
    description: `cluster namespace ${namespace} as ${clients.user}`,
    workloads: deploymentWorkloads(clients, namespace, fieldManager),
    router: httpRouteRouter(clients, namespace, fieldManager),
    rolloutTimeoutMs: options.rolloutTimeoutMs ?? 300_000,
    pollMs: options.pollMs ?? 1000,
  });
}

/** What the steps act on: the Deployments, the routes, and how long a rollout may take. */
export interface CanaryParts {
  readonly description: string;
  readonly workloads: Workloads;
  readonly router: Router;
  readonly rolloutTimeoutMs: number;
  readonly pollMs: number;
}

/**
 * The traffic driver's steps over any `Workloads` and `Router` (`clusterDriver` gives the Kubernetes ones). Each
 * step is idempotent: a re-run after a crash at any point calls them again.
 */
export function canaryDriver(parts: CanaryParts): TrafficDriver {
  return {
    description: parts.description,
    recorded: (app) => parts.router.recorded(app),
    start: (record) => startCanary(parts, record),
    setWeight: (record, weight) => parts.router.setRoutes(record, weight),
    canaryNotReady: (record) => canaryNotReady(parts, record),
    promote: (record) => promote(parts, record),
    rollback: (record) => rollback(parts, record),
  };
}

const canaryName = (app: AppName) => `${app}${canary.suffix}`;
/** The container the gate changes the image of, in both the stable and the canary Deployment. */
const containerOf = (app: AppName) => apps[app].name;
/** The canary's size while it is judged: one replica fewer than stable's minimum, at least one. */
const canaryReplicas = (app: AppName) => Math.max(1, apps[app].replicas.min - 1);

/** Records the rollout at weight 0 (with stable's image, for a rollback) and waits until the canary is ready. */
async function startCanary(parts: CanaryParts, record: RolloutRecord): Promise<void> {
  const previousImage = containerImage(await parts.workloads.read(record.app), containerOf(record.app));
  await parts.router.setRoutes({ ...record, previousImage: record.previousImage ?? previousImage }, 0);
  await setCanary(parts, record.app, { image: record.image, replicas: canaryReplicas(record.app) });
  const stuck = await waitRolledOut(parts, canaryName(record.app), record.image);
  if (stuck) throw new CanaryNotReadyError(`deployment ${canaryName(record.app)} never became ready: ${stuck}`);
}

/** Why the canary serves with fewer replicas than it should, or undefined when it is whole (or scaled to zero). */
async function canaryNotReady(parts: CanaryParts, record: RolloutRecord): Promise<string | undefined> {
  const d = await parts.workloads.read(canaryName(record.app));
  const want = d.spec?.replicas ?? 0;
  const available = d.status?.availableReplicas ?? 0;
  return want > 0 && available < want
    ? `deployment ${canaryName(record.app)}: ${available} of ${want} replicas available`
    : undefined;
}

/**
 * Stable takes the new image while the canary still carries the traffic it earned; only then do the weights
 * return to stable, so no request lands on a version that is not ready. A rollout that does not complete leaves
 * the record in `promoting`: a re-run finishes the promotion once it does.
 */
async function promote(parts: CanaryParts, record: RolloutRecord): Promise<void> {
  const promoting: RolloutRecord = { ...record, phase: 'promoting' };
  await parts.router.setRoutes(promoting, record.weight);
  await parts.workloads.apply(record.app, { container: containerOf(record.app), image: record.image });
  const stuck = await waitRolledOut(parts, record.app, record.image);
  if (stuck) throw new Error(`deployment ${record.app} did not roll out ${record.image}: ${stuck}`);
  await parts.router.setRoutes(promoting, 0);
  await setCanary(parts, record.app, { replicas: 0 });
  await parts.router.setRoutes({ ...record, phase: 'promoted' }, 0);
}

/** Weights back to stable first, then the canary scales to zero; the record says how far it got. */
async function rollback(parts: CanaryParts, record: RolloutRecord): Promise<void> {
  await parts.router.setRoutes({ ...record, phase: 'rolling-back' }, 0);
  await setCanary(parts, record.app, { replicas: 0 });
  await parts.router.setRoutes({ ...record, phase: 'rolled-back' }, 0);
}

/** The canary's image and replicas, always sent together; a field not given keeps its current value. */
async function setCanary(parts: CanaryParts, app: AppName, fields: { image?: string; replicas?: number }) {
  const name = canaryName(app);
  const container = containerOf(app);
  const current = await parts.workloads.read(name);
  const image = fields.image ?? containerImage(current, container);
  if (!image) throw new Error(`deployment ${name} has no ${container} container image`);
  await parts.workloads.apply(name, { container, image, replicas: fields.replicas ?? current.spec?.replicas ?? 0 });
}

/**
 * Resolves undefined once the Deployment rolled out `image`, or with why it never will: stuck past its progress
 * deadline, or not done within `rolloutTimeoutMs`. A failed read ends the wait with its error.
 */
async function waitRolledOut(parts: CanaryParts, name: string, image: string): Promise<string | undefined> {
  let last: RolloutState | undefined;
  try {
    const state = await waitFor(
      `deployment ${name} to roll out ${image}`,
      async () => {
        last = rolloutState(await parts.workloads.read(name), image);
        return last.kind === 'progressing' ? undefined : last;
      },
      { timeoutMs: parts.rolloutTimeoutMs, intervalMs: parts.pollMs, rethrow: true },
    );
    return state.kind === 'stuck' ? state.why : undefined;
  } catch (error) {
    if (!(error instanceof WaitTimeoutError) || last?.kind !== 'progressing') throw error;
    return `${last.available} of ${last.want} available after ${parts.rolloutTimeoutMs} ms`;
  }
}
