import { http } from '@homelab/platform';

/**
 * The longest route timeout (UPSTREAM_TIMEOUT_MS): the kit's request timeout less the margin that lets the proxy's
 * 504, which knows whether the request was sent, come before the kit's, which cannot.
 */
export const maxRouteTimeoutMs = http.requestTimeoutMs - http.upstreamTimeoutMarginMs;
