/** A path match of an HTTPRoute rule (Gateway API): `PathPrefix` matches whole path segments. */
export interface PathMatch {
  readonly type: 'Exact' | 'PathPrefix';
  readonly value: string;
}

/**
 * What the public listener routes to each app: an allowlist, so the operational endpoints every app serves
 * (`/healthz`, `/readyz`, `/metrics`, `/admin/*`) are never reachable from outside, and a new page is public
 * only when it is added here. The API has no public route (the gateway is its public door).
 */
export const publicPaths = {
  web: [
    { type: 'Exact', value: '/' },
    { type: 'PathPrefix', value: '/notes' },
    { type: 'PathPrefix', value: '/status' },
    { type: 'PathPrefix', value: '/deploys' },
    { type: 'PathPrefix', value: '/signin' },
    { type: 'PathPrefix', value: '/signout' },
    { type: 'PathPrefix', value: '/static' },
  ],
  gateway: [
    { type: 'PathPrefix', value: '/v1' },
    { type: 'Exact', value: '/openapi.json' },
  ],
} as const satisfies Record<string, readonly PathMatch[]>;

/** Paths only operators and the cluster may reach: never matched by a public route. */
export const operationalPathPrefixes = ['/healthz', '/readyz', '/metrics', '/admin'] as const;

/** HTTP conventions every service and the edge agree on. */
export const http = {
  paths: { liveness: '/healthz', readiness: '/readyz', metrics: '/metrics', openapi: '/openapi.json' },
  /**
   * The identity the gateway authenticated, forwarded to the API as a short-lived token the gateway signs
   * (`identityToken` in auth.ts, ADR 0071). The gateway strips any copy a client sends; the API verifies the
   * signature, so reaching the API directly gives no identity.
   */
  identityHeader: 'x-homelab-identity',
  requestIdHeader: 'x-request-id',
  /** Bodies larger than this answer 413 (bytes). */
  maxBodyBytes: 64 * 1024,
  /** A request still running after this answers 504 (milliseconds). */
  requestTimeoutMs: 5_000,
  /**
   * The gateway's route timeout must stay at least this far below `requestTimeoutMs`: the route timeout spans a
   * request's whole stay upstream (waiting for a connection, retries), and this margin covers the timers and a
   * loaded event loop, so the proxy's answer (which knows whether the request was sent) comes before the kit's.
   */
  upstreamTimeoutMarginMs: 500,
  /**
   * The whole request body must arrive within this after the request head, or the request answers 408. Below
   * `requestTimeoutMs`, so a slow client gets its own 4xx instead of the server's 504.
   */
  bodyDeadlineMs: 4_000,
  /**
   * Keep-alive ordering (workload-checklist): the proxy's upstream idle timeout < Node's keepAliveTimeout <
   * Node's headersTimeout, so the proxy never reuses a socket Node has just closed.
   */
  keepAlive: { proxyIdleTimeoutSeconds: 60, serverKeepAliveTimeoutMs: 65_000, serverHeadersTimeoutMs: 66_000 },
  /**
   * What the gateway's 502/503/504 problems say about the request in their `outcome` field (ADR 0120): never sent
   * (safe to resend as it is), or sent without a complete answer (it may have been applied).
   */
  upstreamOutcome: { notApplied: 'not-applied', unknown: 'unknown' },
} as const;

/**
 * Shutdown timing. Endpoint removal races SIGTERM, so a pod keeps serving for `preStopSeconds` (native preStop
 * sleep), then drains for up to `drainSeconds`; the grace period covers both with a margin.
 */
export const shutdown = {
  preStopSeconds: 5,
  drainSeconds: 15,
  terminationGracePeriodSeconds: 30,
} as const;
