import { http } from './http.ts';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const excludedRoutes = [http.paths.liveness, http.paths.readiness, http.paths.metrics] as const;

/**
 * The one definition of a request that counts for an SLO (and for the status page and the canary gate): every
 * request a service answers except the kubelet's probes and Prometheus' scrapes, which are machines talking to
 * machines at a fixed rate and would dilute the error ratio (and answer 503 on purpose while a pod drains).
 * Selected by the `route` label, which the services take from the matched route pattern (never the raw URL).
 * Unmatched paths (`route="unmatched"`) do count: a client saw that answer.
 */
export const sliRequests = {
  /** Route patterns that never count. */
  excludedRoutes,
  /** The PromQL label matcher selecting the requests that count: `route!~"/healthz|/readyz|/metrics"`. */
  promqlMatcher: `route!~"${excludedRoutes.map(escapeRegex).join('|')}"`,
  /** Whether a request with this `route` label counts. */
  counts: (route: string | undefined): boolean => !(excludedRoutes as readonly string[]).includes(route ?? ''),
} as const;
