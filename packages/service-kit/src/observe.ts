import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { ServiceMetrics } from './metrics.ts';
import './context.ts';

export interface ObserveOptions {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Default true: one JSON line per request (method, path without query, route, status, duration, ids). */
  readonly accessLog?: boolean;
  /** Default true: `http_requests_total` and `http_request_duration_seconds`. */
  readonly requestMetrics?: boolean;
}

/**
 * The route label is the matched pattern (`/v1/notes/:id`), never the URL, so cardinality stays bounded. After
 * `next()` Hono's routeIndex points at the last handler that ran; when nothing but the global middleware matched,
 * the pattern is a wildcard and the request was unmatched.
 */
const routeLabel = (routePath: string, status: number): string =>
  status === 404 && (routePath === '*' || routePath === '/*') ? 'unmatched' : routePath;

/** Access log and RED metrics for every request, errors included (the error handler has run when this resumes). */
export const observe = ({
  logger,
  metrics,
  accessLog = true,
  requestMetrics = true,
}: ObserveOptions): MiddlewareHandler => {
  const inFlight = metrics.httpRequestsInFlight;
  return async function observe(c, next) {
    const start = performance.now();
    inFlight.inc();
    try {
      await next();
    } finally {
      inFlight.dec();
      const seconds = (performance.now() - start) / 1000;
      const status = c.res.status;
      const route = routeLabel(c.req.routePath, status);
      if (requestMetrics) metrics.observeRequest(c.req.method, route, status, seconds);
      // Query strings can carry tokens and bodies can carry anything: neither is logged.
      if (accessLog && logger.isLevelEnabled('info')) {
        logger.info(
          {
            requestId: c.get('requestId'),
            traceId: c.get('traceId'),
            spanId: c.get('spanId'),
            method: c.req.method,
            path: c.req.path,
            route,
            status,
            durationMs: Math.round(seconds * 1e6) / 1e3,
          },
          'request',
        );
      }
    }
  };
};
