import { canary, edge, http, type PathMatch } from '@homelab/platform';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import { Construct } from 'constructs';
import { addObject, addUntypedObject } from './api-object.ts';
import type { AppWorkload } from './app-workload.ts';
import type { ListenerRef } from './gateways.ts';

export interface WeightedRouteProps {
  readonly workload: AppWorkload;
  readonly listener: ListenerRef;
  /** Hostnames the route answers. Default: every hostname of the listener (the internal Gateway). */
  readonly hostnames?: readonly string[];
  /** Percentage of requests sent to the canary Service. Default: `canary.weightPercent[app]` (0). */
  readonly canaryWeight?: number;
  /**
   * The paths routed. Default: everything (`PathPrefix /`), for the internal listener only; a route on a public
   * listener must name its paths (`publicPaths`), so operational endpoints stay unreachable from outside.
   */
  readonly paths?: readonly PathMatch[];
}

/** Envoy's request timeout sits just above the app's own, so the app's 504 (with a body) wins the race. */
const proxyRequestTimeoutSeconds = Math.ceil(http.requestTimeoutMs / 1000) + 1;

/**
 * An app's HTTPRoute with the stable and canary backends weighted (the canary workflow patches the weights),
 * a request timeout, and its BackendTrafficPolicy: retries only requests that never reached a pod (connect-failure,
 * refused-stream: Envoy's endpoint updates lag a rollout), a connect timeout, and an upstream idle timeout below Node's keepAliveTimeout (keep-alive ordering).
 */
export class WeightedRoute extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: WeightedRouteProps) {
    super(scope, id);
    const { workload, listener } = props;
    const weight = props.canaryWeight ?? canary.weightPercent[workload.app.name];
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw new Error(`route ${workload.app.name}: canary weight ${weight} is not a percentage`);
    }
    this.name = workload.app.name;
    addObject(
      this,
      'route',
      new HTTPRoute({
        metadata: { name: this.name },
        spec: {
          parentRefs: [
            {
              group: 'gateway.networking.k8s.io',
              kind: 'Gateway',
              name: listener.gatewayName,
              namespace: listener.namespace,
              sectionName: listener.sectionName,
            },
          ],
          ...(props.hostnames ? { hostnames: [...props.hostnames] } : {}),
          rules: [
            {
              matches: (props.paths ?? [{ type: 'PathPrefix', value: '/' }]).map((path) => ({ path: { ...path } })),
              // The standard Gateway API timeout (Envoy Gateway maps it to the route's timeout), not a CRD field.
              timeouts: { request: `${proxyRequestTimeoutSeconds}s` },
              backendRefs: [
                { name: workload.stable.serviceName, port: workload.stable.servicePort, weight: 100 - weight },
                { name: workload.canary.serviceName, port: workload.canary.servicePort, weight },
              ],
            },
          ],
        },
      }),
    );
    addUntypedObject(this, 'traffic-policy', {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'BackendTrafficPolicy',
      metadata: { name: this.name },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: this.name }],
        retry: {
          numRetries: edge.retry.numRetries,
          retryOn: { triggers: [...edge.retry.triggers] },
          perRetry: { backOff: { baseInterval: '100ms', maxInterval: '1s' } },
        },
        timeout: {
          tcp: { connectTimeout: edge.connectTimeout },
          http: { connectionIdleTimeout: `${http.keepAlive.proxyIdleTimeoutSeconds}s` },
        },
      },
    });
  }
}
