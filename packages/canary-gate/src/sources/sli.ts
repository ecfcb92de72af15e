import { sliRequests } from '@homelab/platform';

/**
 * Which requests count for the gate: the platform's one definition (`sliRequests`, shared with the SLO rules and
 * the status page), so the gate never judges a canary on requests the SLOs ignore, such as the probes a canary
 * with no users still answers.
 */
export const countsRoute = sliRequests.counts;

/** The same as a PromQL matcher on the `route` label. */
export const countedRouteMatcher = sliRequests.promqlMatcher;

/** A bad event of the availability SLI: a server error. */
export const isServerError = (status: string | number | undefined): boolean => /^5\d\d$/.test(String(status ?? ''));

export const serverErrorMatcher = 'status=~"5.."';
