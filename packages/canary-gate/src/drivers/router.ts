import { type KubeClients, serverSideApply } from '@homelab/cluster';
import { type AppName, canary, canaryGate } from '@homelab/platform';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { RolloutRecord } from './traffic-driver.ts';

/**
 * Where an app's traffic is split between stable and canary, and where the rollout is recorded (after Flagger's
 * routers: the driver's steps depend on this, not on the Gateway API).
 */
export interface Router {
  /** The rollout a previous gate left recorded with the routes, if any. */
  recorded(app: AppName): Promise<RolloutRecord | undefined>;
  /** Sends `canaryWeight` % to the canary and the rest to stable, and records `{ ...record, weight }`, in one write. */
  setRoutes(record: RolloutRecord, canaryWeight: number): Promise<void>;
}

/**
 * The HTTPRoute as the router reads it. Hand-declared: client-node has no Gateway API types, and only the backend
 * references' names and weights matter here (the rest of each rule is sent back as read).
 */
interface HttpRoute extends KubernetesObject {
  spec: { rules?: { backendRefs?: { name: string; weight?: number }[] }[] };
}

/**
 * `Router` as the app's Gateway API HTTPRoute (named like the app) in one namespace: the weights of its two
 * backends (`<app>` and `<app>-canary`) and the record in the annotation `canaryGate.annotations.rollout`, written
 * in the same server-side apply so weights and record never disagree.
 */
export function httpRouteRouter(
  clients: Pick<KubeClients, 'objects'>,
  namespace: string,
  fieldManager: string,
): Router {
  const annotation = canaryGate.annotations.rollout;
  const read = (app: AppName) =>
    clients.objects.read<HttpRoute>({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: app, namespace },
    });
  return {
    async recorded(app) {
      const text = (await read(app)).metadata?.annotations?.[annotation];
      return text ? (JSON.parse(text) as RolloutRecord) : undefined;
    },
    async setRoutes(record, canaryWeight) {
      const route = await read(record.app);
      const canaryBackend = `${record.app}${canary.suffix}`;
      // `rules` is an atomic list in the CRD: the whole list is re-applied, each rule as read but for the weights.
      const rules = (route.spec.rules ?? []).map((rule) => ({
        ...rule,
        backendRefs: (rule.backendRefs ?? []).map((ref) => ({
          ...ref,
          weight: ref.name === canaryBackend ? canaryWeight : 100 - canaryWeight,
        })),
      }));
      await serverSideApply(
        clients.objects,
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: {
            name: record.app,
            namespace,
            annotations: { [annotation]: JSON.stringify({ ...record, weight: canaryWeight }) },
          },
          spec: { rules },
        },
        fieldManager,
      );
    },
  };
}
