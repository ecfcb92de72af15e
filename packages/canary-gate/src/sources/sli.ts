import { http } from '@homelab/platform';

/**
 * THE place that says which requests count for the canary gate, until packages/platform carries the one
 * definition the harden-local work adds (then this module reads it from there). Probes, scrapes and admin calls
 * are not user traffic: a canary with no users still answers its kubelet's probes, and counting those would
 * let silence look like evidence.
 */
export const excludedRoutes: readonly string[] = [
  http.paths.liveness,
  http.paths.readiness,
  http.paths.metrics,
  '/admin/*',
];

/** Does a request on this matched route pattern count? */
export const countsRoute = (route: string | undefined): boolean =>
  route === undefined ||
  !excludedRoutes.some((r) => (r.endsWith('/*') ? route.startsWith(r.slice(0, -1)) : route === r));

/** The same as a PromQL matcher on the `route` label. */
export const countedRouteMatcher = `route!~"${excludedRoutes.map((r) => r.replace('*', '.*')).join('|')}"`;

/** A bad event of the availability SLI: a server error. */
export const isServerError = (status: string | number | undefined): boolean => /^5\d\d$/.test(String(status ?? ''));

export const serverErrorMatcher = 'status=~"5.."';
