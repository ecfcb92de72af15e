import { canaryGate } from '@homelab/platform';
import type { Context } from 'hono';
import pino, { type Logger } from 'pino';
import type { ServiceMetrics } from './metrics.ts';
import './context.ts';
import { isoTimeCache } from './iso-time.ts';
import { requestHeader } from './request-header.ts';

export interface ObserveOptions {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Default true: one JSON line per request (method, path without query, route, status, duration, ids). */
  readonly accessLog?: boolean;
  /** Default true: `http_requests_total` and `http_request_duration_seconds`. */
  readonly requestMetrics?: boolean;
  /**
   * Whether a request is the canary gate's synthetic load. Default: it carries the tag header, right only for a
   * service that the public cannot reach (the API: only the gateway calls it, and the gateway has removed the tag
   * from anyone not allowed to send it). The public doors decide after authentication instead: the gateway for the
   * load-test API key, web for the load-test identity's session (ADR 0130).
   */
  readonly isSynthetic?: (c: Context) => boolean;
}

/**
 * The route label is the matched pattern (`/v1/notes/:id`), never the URL, so cardinality stays bounded. After
 * `next()` Hono's routeIndex points at the last handler that ran; when nothing but the global middleware matched,
 * the pattern is a wildcard and the request was unmatched.
 */
const routeLabel = (routePath: string, status: number): string =>
  status === 404 && (routePath === '*' || routePath === '/*') ? 'unmatched' : routePath;

/**
 * Printable ASCII except `"` and `\`: such strings need no JSON escaping. Almost every path and id is one, so
 * quoting is usually a concatenation; anything else goes through JSON.stringify.
 */
const plainJsonString = /^[ !#-[\]-~]*$/;
const quote = (value: string): string => (plainJsonString.test(value) ? `"${value}"` : JSON.stringify(value));

/**
 * Methods and route labels come from small fixed sets (llhttp's method list, the app's route patterns), so their
 * quoted forms are kept instead of re-checked on every line.
 */
const quotedOnce = new Map<string, string>();
const quoteKnown = (value: string): string => {
  let quoted = quotedOnce.get(value);
  if (quoted === undefined) {
    quoted = quote(value);
    if (quotedOnce.size < 1024) quotedOnce.set(value, quoted);
  }
  return quoted;
};

interface LineSink {
  write(line: string): void;
}

/**
 * Writes access-log lines in exactly pino's format (level, time, the logger's bindings, fields, msg) straight to
 * the logger's destination. The fields are fixed and all but the path are known-safe, so building the line by
 * hand costs a fraction of a generic `logger.info(object)` (which walks, escapes and formats every key): with
 * pino's generic path, the access log alone was most of the service kit's per-request cost.
 */
function accessLineWriter(logger: Logger) {
  const stream = (logger as unknown as Record<symbol, LineSink>)[pino.symbols.streamSym];
  const bindings = (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? '';
  const isoTime = isoTimeCache();
  return (fields: {
    requestId: string;
    traceId: string;
    spanId: string;
    method: string;
    path: string;
    route: string;
    status: number;
    durationMs: number;
  }) => {
    stream?.write(
      `{"level":"info","time":"${isoTime()}"${bindings},"requestId":${fields.requestId === fields.traceId ? `"${fields.traceId}"` : quote(fields.requestId)},"traceId":"${fields.traceId}","spanId":"${fields.spanId}","method":${quoteKnown(fields.method)},"path":${quote(fields.path)},"route":${quoteKnown(fields.route)},"status":${fields.status},"durationMs":${fields.durationMs},"msg":"request"}\n`,
    );
  };
}

/**
 * Access log and RED metrics for one request: `finish()` runs after the response exists (errors included), so the
 * status is the one the client gets.
 */
const taggedSynthetic = (c: Context): boolean =>
  requestHeader(c, canaryGate.synthetic.header) === canaryGate.synthetic.value;

export function createRequestObserver({
  logger,
  metrics,
  accessLog = true,
  requestMetrics = true,
  isSynthetic = taggedSynthetic,
}: ObserveOptions) {
  const writeLine = accessLineWriter(logger);
  return {
    start(): number {
      metrics.requestStarted();
      return performance.now();
    },
    finish(c: Context, start: number): void {
      metrics.requestFinished();
      const seconds = (performance.now() - start) / 1000;
      const status = c.res.status;
      const route = routeLabel(c.req.routePath, status);
      if (requestMetrics) {
        metrics.observeRequest(c.req.method, route, status, seconds, isSynthetic(c));
      }
      // Query strings can carry tokens and bodies can carry anything: neither is logged.
      if (accessLog && logger.isLevelEnabled('info')) {
        writeLine({
          requestId: c.get('requestId'),
          traceId: c.get('traceId'),
          spanId: c.get('spanId'),
          method: c.req.method,
          path: c.req.path,
          route,
          status,
          durationMs: Math.round(seconds * 1e6) / 1e3,
        });
      }
    },
  };
}
