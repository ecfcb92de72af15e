import { http } from '@homelab/platform';
import { type Context, type ErrorHandler, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { createFaults, type Faults } from './faults.ts';
import { frontDoor } from './front-door.ts';
import { healthRoutes, type MetricsAccess } from './health.ts';
import { createLifecycle, type Lifecycle, type ReadinessCheck } from './lifecycle.ts';
import type { ServiceMetrics } from './metrics.ts';
import { ProblemError, problem } from './problem.ts';

export interface ServiceAppOptions {
  /** The app's name (logs, metric help texts). */
  readonly service: string;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Dependencies `/readyz` checks. Default none. */
  readonly readiness?: readonly ReadinessCheck[];
  /** FAULTS_ENABLED and ADMIN_TOKEN. Default disabled. Or a ready-made Faults object (tests). */
  readonly faults?: { readonly enabled: boolean; readonly adminToken?: string | undefined } | Faults;
  /** Default `http.maxBodyBytes` from @homelab/platform. */
  readonly bodyLimitBytes?: number;
  /** Default `http.bodyDeadlineMs` from @homelab/platform. */
  readonly bodyDeadlineMs?: number;
  /** Default `http.requestTimeoutMs` from @homelab/platform. */
  readonly timeoutMs?: number;
  /**
   * Problem extension members of the 504 the request timeout answers, e.g. the gateway's `outcome: "unknown"`:
   * a request the timeout cut off may have reached whatever the handler was talking to.
   */
  readonly timeoutProblemExtra?: Record<string, unknown>;
  /** Default true. Off only to measure what logging costs (benchmark). */
  readonly accessLog?: boolean;
  /** Default true. Off only to measure what metrics cost (benchmark). */
  readonly requestMetrics?: boolean;
  /** Default: a new one. Pass one when the caller needs it before the app exists. */
  readonly lifecycle?: Lifecycle;
  /** Who may read `/metrics` (loopback, or a bearer token; ADR 0122). Default: anyone who reaches the port. */
  readonly metricsAccess?: MetricsAccess;
  /** Whether a request counts as the canary gate's synthetic load; default: it carries the tag (ADR 0130). */
  readonly isSynthetic?: (c: Context) => boolean;
}

export interface ServiceApp {
  readonly app: Hono;
  readonly lifecycle: Lifecycle;
  readonly faults: Faults;
}

const isFaults = (value: ServiceAppOptions['faults']): value is Faults => value !== undefined && 'middleware' in value;

/**
 * The Hono app every service starts from: request id and traceparent, access log and RED metrics, security
 * headers, body limit, request timeout, fault injection, problem+json errors, and the probe, metrics and admin
 * routes. The caller mounts its own sub-apps with `app.route()`.
 */
export function createServiceApp(options: ServiceAppOptions): ServiceApp {
  const { logger, metrics } = options;
  const lifecycle = options.lifecycle ?? createLifecycle();
  const faults = isFaults(options.faults)
    ? options.faults
    : createFaults({ enabled: options.faults?.enabled ?? false, adminToken: options.faults?.adminToken, logger });
  lifecycle.onShutdown(async () => faults.close());

  const app = new Hono();
  const onError: ErrorHandler = (error, c) => {
    if (error instanceof ProblemError) {
      if (error.status >= 500) logger.warn({ requestId: c.get('requestId'), err: error }, error.title);
      return problem(c, error.status, error.title, error.detail, error.extra);
    }
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      return problem(c, status, statusTitle(status), status >= 500 ? undefined : error.message || undefined);
    }
    // Unknown errors: the stack goes to the log, the client gets a request id to quote.
    logger.error({ requestId: c.get('requestId'), err: error }, 'unhandled error');
    return problem(c, 500, 'Internal Server Error');
  };
  // Request id + traceparent, access log + RED metrics, security headers, body limit, timeout, faults: in that
  // order, fused into one middleware (see front-door.ts).
  app.use(
    frontDoor({
      logger,
      metrics,
      accessLog: options.accessLog ?? true,
      requestMetrics: options.requestMetrics ?? true,
      ...(options.isSynthetic ? { isSynthetic: options.isSynthetic } : {}),
      bodyLimitBytes: options.bodyLimitBytes ?? http.maxBodyBytes,
      bodyDeadlineMs: options.bodyDeadlineMs ?? http.bodyDeadlineMs,
      timeoutMs: options.timeoutMs ?? http.requestTimeoutMs,
      ...(options.timeoutProblemExtra ? { timeoutProblemExtra: options.timeoutProblemExtra } : {}),
      faults,
      onError,
    }),
  );
  app.onError(onError);
  app.notFound((c) => problem(c, 404, 'Not Found', `no route for ${c.req.method} ${c.req.path}`));

  app.route(
    '/',
    healthRoutes({
      lifecycle,
      metrics,
      readiness: [...(options.readiness ?? []), faults.readiness],
      ...(options.metricsAccess ? { metricsAccess: options.metricsAccess } : {}),
    }),
  );
  app.route('/', faults.routes);
  return { app, lifecycle, faults };
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
export const statusTitle = (status: number): string => titles[status] ?? (status >= 500 ? 'Server Error' : 'Error');
