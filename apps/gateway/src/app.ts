import { notesOpenApiDocument } from '@homelab/notes-contract';
import { canaryGate, http } from '@homelab/platform';
import {
  createServiceApp,
  type Lifecycle,
  type Logger,
  problem,
  requestHeader,
  type ServiceMetrics,
} from '@homelab/service-kit';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { identifyCaller } from './auth/authenticate.ts';
import { exposedHeaders, withCors } from './cors.ts';
import { createGatewayMetrics, publishWeights } from './metrics.ts';
import { admitAndForward } from './pipeline.ts';
import { outcomeFields, proxy } from './proxy/proxy.ts';
import { admitRequest } from './rate-limit/rate-limit.ts';
import type { RateLimiter } from './rate-limit/token-bucket.ts';
import type { CircuitBreakerOptions } from './resilience/circuit-breaker.ts';
import { createRetryBudget, type RetryBudgetOptions } from './resilience/retry-budget.ts';
import { maxRouteTimeoutMs } from './route-timeout.ts';
import { adminUpstreams } from './routes/admin-upstreams.ts';
import { createUpstream, type Upstream } from './upstreams/upstream.ts';
import { createWeightedUpstreams, type UpstreamSpec, type WeightedUpstreams } from './upstreams/weighted-upstreams.ts';

export interface GatewayDeps {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** The notes API's upstreams (stable, optionally canary) with their initial weights. */
  readonly upstreams: readonly UpstreamSpec[];
  readonly verifyApiKey: (key: string) => string | undefined;
  readonly verifyJwt?: (token: string) => Promise<string>;
  readonly limiter: RateLimiter;
  /** Signs the identity the API trusts (`createIdentitySigner({ secret: IDENTITY_TOKEN_SECRET })`). */
  readonly signIdentity: (identity: string) => string | Promise<string>;
  /** Enables `/admin/upstreams` (and the kit's `/admin/faults` when faults are enabled). */
  readonly adminToken?: string;
  readonly faultsEnabled?: boolean;
  /** The only origin CORS allows. */
  readonly webOrigin: string;
  /** Upstream header/idle timeout. Default 3000 ms. */
  readonly timeoutMs?: number;
  /** Default 1. */
  readonly maxRetries?: number;
  /** Keep-alive connections per upstream. Default 64. */
  readonly connections?: number;
  readonly breaker?: Omit<CircuitBreakerOptions, 'onStateChange'>;
  readonly retryBudget?: RetryBudgetOptions;
  /** Default `http.maxBodyBytes`. */
  readonly bodyLimitBytes?: number;
  /**
   * METRICS_TOKEN: `/metrics` answers loopback callers, and others only with this bearer token (Prometheus' from
   * a mounted Secret); unset, loopback only (ADR 0122).
   */
  readonly metricsToken?: string;
  /**
   * The identity whose `x-homelab-synthetic` tag is kept (SYNTHETIC_IDENTITY; default
   * `canaryGate.synthetic.identity`). Anyone else's tag is removed before it is counted or forwarded (ADR 0130).
   */
  readonly syntheticIdentity?: string;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** Set once the caller is known: the load-test identity's tagged request (the canary gate's synthetic load). */
    synthetic: boolean;
  }
}

export interface Gateway {
  readonly app: Hono;
  readonly lifecycle: Lifecycle;
  readonly routes: ReadonlyMap<string, WeightedUpstreams<Upstream>>;
}

/** The notes API is the one proxied route today; the table is keyed by route so more can join. */
const notesRoute = 'notes';

/** Builds the gateway without opening a port. */
export function createApp(deps: GatewayDeps): Gateway {
  const { logger, metrics } = deps;
  const { app, lifecycle } = createServiceApp({
    service: 'gateway',
    logger,
    metrics,
    faults: { enabled: deps.faultsEnabled ?? false, adminToken: deps.adminToken },
    bodyLimitBytes: deps.bodyLimitBytes ?? http.maxBodyBytes,
    // The public door's own port: whoever reaches it (the edge proxy, web pods) must not read its metrics.
    metricsAccess: { token: deps.metricsToken },
    // The kit's catch-all 504 cannot know whether a proxied request reached the API (issue 17's audit).
    timeoutProblemExtra: outcomeFields.unknown,
    // The tag counts only once authentication has named the load-test identity (set in `admitTagged`).
    isSynthetic: (c) => c.get('synthetic') === true,
  });
  const gatewayMetrics = createGatewayMetrics(metrics.registry);
  const upstreams = deps.upstreams.map((spec) =>
    createUpstream(spec, {
      connections: deps.connections ?? 64,
      ...(deps.breaker ? { breaker: deps.breaker } : {}),
      onBreakerState: (s, state) => {
        gatewayMetrics.breakerState(s.name, state);
        logger.warn({ upstream: s.name, state }, 'circuit breaker state changed');
      },
    }),
  );
  const notes = createWeightedUpstreams(upstreams);
  // A Map, not an object: route names arrive in admin URLs, and `constructor` must not find Object's.
  const routes = new Map<string, WeightedUpstreams<Upstream>>([[notesRoute, notes]]);
  publishWeights(gatewayMetrics, notesRoute, notes);
  for (const u of upstreams) gatewayMetrics.breakerState(u.spec.name, 'closed');

  app.route(
    '/admin/upstreams',
    adminUpstreams({
      routes,
      adminToken: deps.adminToken,
      problem,
      onChange: (route, weights) => {
        logger.info({ route, weights }, 'upstream weights changed');
        const group = routes.get(route);
        if (group) publishWeights(gatewayMetrics, route, group);
      },
    }),
  );

  const identify = identifyCaller({
    verifyApiKey: deps.verifyApiKey,
    ...(deps.verifyJwt ? { verifyJwt: deps.verifyJwt } : {}),
  });
  const admit = admitRequest({ limiter: deps.limiter, onLimited: () => gatewayMetrics.rateLimited() });
  const syntheticIdentity = deps.syntheticIdentity ?? canaryGate.synthetic.identity;
  const admitTagged = (c: Context, identity: string) => {
    if (identity === syntheticIdentity && requestHeader(c, canaryGate.synthetic.header) === canaryGate.synthetic.value)
      c.set('synthetic', true);
    return admit(c, identity);
  };
  const routeTimeoutMs = deps.timeoutMs ?? 3_000;
  if (routeTimeoutMs > maxRouteTimeoutMs) {
    // The kit's 504 would then come first, and it cannot say whether the request was sent (UPSTREAM_TIMEOUT_MS).
    throw new RangeError(`route timeout ${routeTimeoutMs} ms: must be at most ${maxRouteTimeoutMs} ms`);
  }
  const forward = proxy(
    {
      name: notesRoute,
      upstreams: notes,
      timeoutMs: routeTimeoutMs,
      maxRetries: deps.maxRetries ?? 1,
      retryBudget: createRetryBudget(deps.retryBudget),
    },
    {
      metrics: gatewayMetrics,
      problem,
      signIdentity: deps.signIdentity,
      corsOrigin: deps.webOrigin,
      corsExposeHeaders: exposedHeaders,
      onUpstreamError: (upstream, error, requestId) =>
        logger.warn({ upstream, requestId, err: error }, 'upstream request failed'),
    },
  );
  const gatewayRequest = admitAndForward(identify, admitTagged, forward);
  // The public contract, published at the public door: the API's own operations with the gateway's security
  // schemes and answers (429, 502, 503 with Retry-After, 504). Built once; it changes only with a release.
  const contract = notesOpenApiDocument('gateway');
  app.get(http.paths.openapi, (c) => c.json(contract));

  const api = new Hono();
  api.all('/*', withCors(deps.webOrigin, gatewayRequest));
  app.route('/v1', api);

  lifecycle.onShutdown(async () => {
    await Promise.all(upstreams.map((u) => u.pool.close()));
    await deps.limiter.close?.();
  });
  return { app, lifecycle, routes };
}
