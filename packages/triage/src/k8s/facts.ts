import type {
  CoreV1Event,
  V1Deployment,
  V1EndpointSlice,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';

/** A condition as cert-manager and the Gateway API write them (the same shape as the core types'). */
export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

/** A custom resource as listed through the API: only the fields the analyzers read. */
export interface CustomObject {
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly generation?: number };
  readonly spec?: Record<string, unknown>;
  readonly status?: {
    readonly conditions?: readonly Condition[];
    readonly listeners?: readonly { readonly name: string; readonly conditions?: readonly Condition[] }[];
    readonly parents?: readonly {
      readonly parentRef: { readonly name: string; readonly namespace?: string };
      readonly controllerName?: string;
      readonly conditions?: readonly Condition[];
    }[];
    readonly notAfter?: string;
  };
}

/** Everything the cluster checks read, listed once; each analyzer is a pure function of these. */
export interface ClusterFacts {
  readonly pods: readonly V1Pod[];
  readonly events: readonly CoreV1Event[];
  readonly deployments: readonly V1Deployment[];
  readonly pvcs: readonly V1PersistentVolumeClaim[];
  readonly nodes: readonly V1Node[];
  readonly hpas: readonly V2HorizontalPodAutoscaler[];
  readonly services: readonly V1Service[];
  readonly endpointSlices: readonly V1EndpointSlice[];
  readonly certificates: readonly CustomObject[];
  readonly gateways: readonly CustomObject[];
  readonly httpRoutes: readonly CustomObject[];
  /** APIs the cluster does not serve (a CRD not installed): said in the output, not an error. */
  readonly notServed: readonly string[];
}

export const emptyFacts = (): ClusterFacts => ({
  pods: [],
  events: [],
  deployments: [],
  pvcs: [],
  nodes: [],
  hpas: [],
  services: [],
  endpointSlices: [],
  certificates: [],
  gateways: [],
  httpRoutes: [],
  notServed: [],
});

/** `namespace/name`, or `name` for cluster-scoped objects. */
export const ref = (meta: { namespace?: string; name?: string } | undefined): string =>
  meta?.namespace ? `${meta.namespace}/${meta.name}` : (meta?.name ?? '?');

const eventTime = (e: CoreV1Event): number =>
  new Date(e.lastTimestamp ?? e.eventTime ?? e.series?.lastObservedTime ?? e.metadata.creationTimestamp ?? 0).getTime();

/** The most recent event about an object (matched by kind, namespace and name), if any. */
export function lastEvent(
  events: readonly CoreV1Event[],
  kind: string,
  meta: { namespace?: string; name?: string } | undefined,
  filter: (e: CoreV1Event) => boolean = () => true,
): CoreV1Event | undefined {
  return events
    .filter(
      (e) =>
        e.involvedObject.kind === kind &&
        e.involvedObject.name === meta?.name &&
        (e.involvedObject.namespace ?? '') === (meta?.namespace ?? '') &&
        filter(e),
    )
    .sort((a, b) => eventTime(b) - eventTime(a))[0];
}

export const describeEvent = (e: CoreV1Event | undefined): string =>
  e ? `last event: ${e.type ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}`.replace(/\s+/g, ' ').trim() : 'no events';

export const conditionLine = (c: Condition | { type: string; status: string; reason?: string; message?: string }) =>
  `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`;
