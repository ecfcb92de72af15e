import { sliRequests } from '@homelab/platform';

/**
 * Which requests count for the canary gate: the platform's one definition (`sliRequests`), the same the SLO
 * rules and the status page use. Probes, scrapes and admin calls are not user traffic: a canary with no users
 * still answers its kubelet's probes, and counting those would let silence look like evidence.
 */
export const excludedRoutes: readonly string[] = sliRequests.excludedRoutes;

/** Does a request on this matched route pattern count? */
export const countsRoute = (route: string | undefined): boolean => sliRequests.counts(route);

/** The same as a PromQL matcher on the `route` label; the synthetic load counts (it is the gate's evidence). */
export const countedRouteMatcher = sliRequests.gatePromqlMatcher;

/** A bad event of the availability SLI: a server error. */
export const isServerError = (status: string | number | undefined): boolean => /^5\d\d$/.test(String(status ?? ''));

export const serverErrorMatcher = 'status=~"5.."';
