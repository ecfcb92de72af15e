import { http } from '@homelab/platform';
import type { Context, ErrorHandler, MiddlewareHandler, Next } from 'hono';
import type { Logger } from 'pino';
import { bodylessMethods, declaresTooLarge } from './body-limit.ts';
import type { Faults } from './faults.ts';
import type { ServiceMetrics } from './metrics.ts';
import { createRequestObserver } from './observe.ts';
import { ProblemError } from './problem.ts';
import { guardRequestBody } from './request-body.ts';
import { assignRequestContext } from './request-context.ts';
import { presetResponseHeaders } from './response-headers.ts';
import { securityHeaderValues } from './security-headers.ts';
import { withTimeout } from './with-timeout.ts';

export interface FrontDoorOptions {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly accessLog: boolean;
  readonly requestMetrics: boolean;
  /** See `ObserveOptions.isSynthetic`. */
  readonly isSynthetic?: (c: Context) => boolean;
  readonly bodyLimitBytes: number;
  /** The whole body must arrive within this (408 otherwise). */
  readonly bodyDeadlineMs: number;
  readonly timeoutMs: number;
  /** Extension members of the timeout's 504 problem (see `ServiceAppOptions.timeoutProblemExtra`). */
  readonly timeoutProblemExtra?: Record<string, unknown>;
  readonly faults: Faults;
  /** The app's error handler: errors raised here become responses before the access log records the status. */
  readonly onError: ErrorHandler;
}

/**
 * The service app's middleware chain in one function, in the documented order: request id and traceparent,
 * access log and RED metrics, security headers, body limit, request timeout, fault injection. Fused, a request
 * allocates one async frame instead of six (each Hono middleware level adds a dispatch promise, a `next` closure and an async frame),
 * which showed up as allocation and GC on the cache-hit path. The fault middleware only runs while a fault is
 * set, and the security headers and request id go out in the handler's own `writeHead` (response-headers.ts).
 */
export function frontDoor(options: FrontDoorOptions): MiddlewareHandler {
  const observer = createRequestObserver(options);
  const { faults, timeoutMs, onError } = options;
  // Built once: only thrown when a request times out, and rendered per request by `onError`.
  const timeoutError = new ProblemError(
    504,
    'Gateway Timeout',
    `the request did not complete within ${timeoutMs} ms`,
    options.timeoutProblemExtra,
  );
  const bodyLimits = { maxBytes: options.bodyLimitBytes, deadlineMs: options.bodyDeadlineMs };
  const requestIdHeader = http.requestIdHeader;
  const inner = (c: Context, next: Next): Promise<void> =>
    (faults.active ? faults.middleware(c, next) : next()) as Promise<void>;
  return async function frontDoor(c, next) {
    const requestId = assignRequestContext(c);
    presetResponseHeaders(c, { ...securityHeaderValues, [requestIdHeader]: requestId });
    const start = observer.start();
    let stopBodyDeadline: (() => void) | undefined;
    try {
      try {
        if (!bodylessMethods.has(c.req.method)) {
          const tooLarge = declaresTooLarge(c, bodyLimits.maxBytes);
          if (tooLarge) throw tooLarge;
          // Nothing is read here: the handler (after authentication) reads the body through the guard.
          stopBodyDeadline = guardRequestBody(c, bodyLimits);
        }
        await withTimeout(inner(c, next), timeoutMs, timeoutError);
        // A body refused while the handler read it (413, 408, cut off) is the answer, whatever the handler made
        // of the failed read (a JSON parse 400, a proxy 502), unless the handler already sent its own.
        const bodyError = stopBodyDeadline ? c.get('requestBody')?.error : undefined;
        if (bodyError && !(c.env as { outgoing?: { headersSent?: boolean } } | undefined)?.outgoing?.headersSent) {
          c.res = await onError(bodyError, c);
        }
      } catch (error) {
        // Handler errors were already turned into responses by Hono; these come from the guards (413, 504, an
        // injected 500) and become the response here, so the log and metrics below see the status sent.
        c.res = await onError(error as Error, c);
      }
    } finally {
      stopBodyDeadline?.();
      observer.finish(c, start);
    }
  };
}
