import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { http } from '@homelab/platform';
import { ProblemError, problemContentType, requestHeader, statusTitle } from '@homelab/service-kit';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Dispatcher } from 'undici';
import type { GatewayMetrics, UpstreamRecorder } from '../metrics.ts';
import type { Verdict } from '../resilience/circuit-breaker.ts';
import type { RetryBudget } from '../resilience/retry-budget.ts';
import type { Upstream } from '../upstreams/upstream.ts';
import type { WeightedUpstreams } from '../upstreams/weighted-upstreams.ts';
import { forwardResponse } from './forward-response.ts';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.ts';

/** One proxied route: where it goes, how long it may take, and how it may retry. */
export interface ProxyRoute {
  /** Metric label, e.g. `notes`. */
  readonly name: string;
  readonly upstreams: WeightedUpstreams<Upstream>;
  /**
   * The route's timeout: from the gateway's first attempt, the upstream's answer must begin within this, across
   * the wait for a connection and any retries; then 504. Also the time allowed between body chunks.
   */
  readonly timeoutMs: number;
  /** Extra attempts for idempotent, bodyless requests, each paid from the retry budget. */
  readonly maxRetries: number;
  readonly retryBudget: RetryBudget;
}

export interface ProxyDeps {
  readonly metrics: GatewayMetrics;
  /** The identity token the API verifies (`createIdentitySigner` in the service kit). */
  readonly signIdentity: (identity: string) => string | Promise<string>;
  readonly problem: (
    c: Context,
    status: ContentfulStatusCode,
    title: string,
    detail?: string,
    extra?: Record<string, unknown>,
  ) => Response;
  /** The one origin answered with CORS headers (preflights are answered earlier by the CORS middleware). */
  readonly corsOrigin?: string;
  /** Response headers a browser on `corsOrigin` may read. */
  readonly corsExposeHeaders?: readonly string[];
  /** Told about every failed attempt (connection errors, timeouts), for the log. */
  readonly onUpstreamError?: (upstream: string, error: unknown, requestId: string) => void;
}

interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

/** Safe to repeat (RFC 9110 §9.2.2); only retried when there is no body to replay. */
const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const retryableStatus = new Set([502, 503, 504]);
/**
 * A 502/503/504 that is not a problem+json came from something between the gateway and the API (in the cluster,
 * the internal Envoy's plain-text "upstream connect error" or "no healthy upstream"), not from the API: it says
 * nothing about whether the request was applied, so the gateway answers its own problem instead (issue 17's audit).
 */
const opaqueGatewayError = (statusCode: number, contentType: string | string[] | undefined): boolean =>
  retryableStatus.has(statusCode) &&
  !(typeof contentType === 'string' && contentType.toLowerCase().startsWith(problemContentType));
const timeoutCodes = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'HOMELAB_ROUTE_TIMEOUT',
  'HOMELAB_UPSTREAM_TIMEOUT',
]);
/** nginx's convention for "the client closed the connection before the answer": never sent, only counted. */
const clientClosedRequest = 499;
/** @hono/node-server leaves the response alone when the handler's Response carries this header. */
const alreadySent = { 'x-hono-already-sent': 'true' } as const;

/**
 * The handler's stand-in for an answer already written to the socket: the real status (for the kit's metrics and
 * access log) and node-server's "already sent" marker. Reading `.body` turns node-server's lightweight Response
 * into a real one: its fast path for lightweight responses ignores the marker and would write the head twice.
 *
 * One per status, shared by all requests: building a real Response (WebIDL header conversion) was a visible
 * share of a proxied request. Sharing is safe because nothing of it is sent, nobody reads its body, and Hono
 * copies a finalized response before any later `c.header()` or `c.res =` edits it.
 */
const sentResponses = new Map<number, Response>();
const sentResponse = (status: number): Response => {
  let response = sentResponses.get(status);
  if (response === undefined) {
    response = new Response(null, { status, headers: alreadySent });
    void response.body;
    sentResponses.set(status, response);
  }
  return response;
};

/** The upstream stopped waiting before the client finished sending its body. */
const bodyTooSlow = (ms: number) =>
  new ProblemError(408, 'Request Timeout', `the request body did not arrive within the upstream's ${ms} ms`);

/**
 * The client closed its connection before the answer was complete. Only the response side tells: Node destroys an
 * IncomingMessage as soon as its body has been read to the end (autoDestroy), so `incoming.destroyed` is true for
 * every POST, PATCH or PUT whose body reached the upstream, and reading it as "client gone" left those requests
 * without any answer when the upstream then timed out or died (issue 17). The response is destroyed only with
 * its socket.
 */
const clientGone = (outgoing: ServerResponse | undefined): boolean =>
  outgoing?.destroyed === true && !outgoing.writableFinished;

/**
 * Errors that happen before a connection exists, so not a byte of the request left the gateway. Used where the
 * dispatch cannot tell (the `app.request()` path); under node-server `onRequestStart` tells exactly.
 */
const notSentCodes = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * What a client may conclude from a gateway error (a problem+json extension): `not-applied` when the request
 * never reached the upstream (safe to send again as it is), `unknown` when it was sent and no complete answer
 * came (it may have been applied: repeat a write only with If-Match or after reading the current state).
 */
export const outcomeFields = {
  'not-applied': { outcome: http.upstreamOutcome.notApplied, retryable: true },
  unknown: { outcome: http.upstreamOutcome.unknown, retryable: false },
} as const;

/** The request's body had not fully arrived when the attempt failed. */
const bodyUnfinished = (c: Context, hasBody: boolean): boolean => hasBody && c.get('requestBody')?.complete === false;

/**
 * The client's body, not the upstream, ended a failed attempt: the guard refused it (too large, too slow, cut
 * off), or the upstream timed out while still waiting for it. A refused connection (nothing sent, nothing read)
 * or one that broke under a complete request is the upstream's doing, whatever the body's state.
 */
const bodyAtFault = (c: Context, hasBody: boolean, result: Attempt): boolean =>
  result.kind === 'failed' &&
  bodyUnfinished(c, hasBody) &&
  (c.get('requestBody').error !== undefined ||
    (result.sent && timeoutCodes.has((result.error as { code?: string }).code ?? '')));

/** Whether a request (other than GET/HEAD) carries a body, by its framing headers. */
const announcesBody = (c: Context): boolean => {
  const length = requestHeader(c, 'content-length');
  return length !== undefined ? length !== '0' : requestHeader(c, 'transfer-encoding') !== undefined;
};

/** undici's request options, built once per request and reused by its attempts. */
interface UpstreamRequest {
  readonly path: string;
  readonly method: Dispatcher.HttpMethod;
  readonly headers: string[];
  /**
   * undici accepts any async iterable as a body; a web ReadableStream is one. Typed as Readable because
   * undici's types list only Node streams.
   */
  readonly body: Readable | null;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
}

/** One client request across its attempts. */
interface Exchange {
  readonly c: Context;
  readonly outgoing: ServerResponse | undefined;
  /** Attempts left beyond the current one; each is paid from the retry budget when taken. */
  retriesLeft: number;
  /** Whether the current attempt's answer is being retried. */
  retry: boolean;
  /** Whether the current attempt's answer was an opaque 502/503/504, dropped for the gateway's own problem. */
  opaque: boolean;
  /** Whether the current attempt began writing the request to a connection (undici's `onRequestStart`). */
  sent: boolean;
  /** When the route's timeout runs out for this request (`performance.now()` clock), across all its attempts. */
  readonly deadline: number;
}

/** The outcome of a streamed answer; the common case allocates nothing. */
const answeredByStatus = new Map<number, Attempt>();
const answered = (status: number): Attempt => {
  let outcome = answeredByStatus.get(status);
  if (outcome === undefined) {
    outcome = { kind: 'answered', status };
    answeredByStatus.set(status, outcome);
  }
  return outcome;
};

type Attempt =
  | { readonly kind: 'answered'; readonly status: number; readonly response?: Response }
  | { readonly kind: 'retry'; readonly status: number }
  | { readonly kind: 'opaque'; readonly status: number }
  | {
      readonly kind: 'failed';
      readonly error: unknown;
      readonly headersSent: boolean;
      /** Whether any of the request may have reached the upstream. */
      readonly sent: boolean;
    };

/**
 * The hot path. Under @hono/node-server the upstream response is streamed straight into Node's ServerResponse
 * by an undici dispatch handler (forward-response.ts: no web-stream conversion, no buffering); elsewhere
 * (`app.request()` in tests) it falls back to a streamed `Response`. Everything that can be computed once lives
 * outside the handler.
 */
export function proxy(route: ProxyRoute, deps: ProxyDeps): (c: Context) => Promise<Response> {
  const { metrics, problem } = deps;
  const { timeoutMs } = route;
  /**
   * Less than this left of the route's timeout and a request is not sent (answered 504 "not applied"), nor is a
   * failed GET tried again: sent with a few milliseconds to live, it would end as "unknown" almost surely.
   */
  const minSendMs = Math.min(250, timeoutMs / 4);
  const timeLeft = (exchange: Exchange) => exchange.deadline - performance.now();
  // Label values are fixed per upstream: bound once here, not per request.
  const recorders = new Map<Upstream, UpstreamRecorder>(
    route.upstreams.all.map((u) => [u, metrics.upstream(route.name, u.spec.name, u.spec.version)]),
  );

  const corsFields = deps.corsOrigin
    ? {
        'access-control-allow-origin': deps.corsOrigin,
        'access-control-expose-headers': (deps.corsExposeHeaders ?? []).join(','),
        vary: 'origin',
      }
    : undefined;
  /** CORS fields for this request: only for the web origin. */
  const corsFor = (c: Context) =>
    corsFields && requestHeader(c, 'origin') === corsFields['access-control-allow-origin'] ? corsFields : undefined;

  /** Asks (and pays) the retry budget for one more attempt of this request. */
  const payRetry = (exchange: Exchange): boolean => {
    // A retry gets only what is left of the route's timeout: too little, and the answer in hand stands.
    if (timeLeft(exchange) < minSendMs) return false;
    exchange.retriesLeft -= 1;
    if (!route.retryBudget.tryRetry()) {
      metrics.retry(route.name, 'budget_exhausted');
      return false;
    }
    metrics.retry(route.name, 'attempted');
    return true;
  };

  /**
   * The head of an upstream answer: written to the client, or (a retryable status the budget pays for) dropped so
   * the request can be retried.
   */
  const onHead = (statusCode: number, headers: IncomingHttpHeaders, exchange: Exchange): boolean => {
    if (exchange.retriesLeft > 0 && retryableStatus.has(statusCode) && payRetry(exchange)) {
      exchange.retry = true;
      return false;
    }
    if (opaqueGatewayError(statusCode, headers['content-type'])) {
      exchange.opaque = true;
      return false;
    }
    const { c } = exchange;
    const outgoing = exchange.outgoing as ServerResponse;
    outgoing.writeHead(statusCode, downstreamResponseHeaders(headers, c.get('rateLimitFields'), corsFor(c)));
    return true;
  };

  const markSent = (exchange: Exchange) => {
    exchange.sent = true;
  };

  /** One attempt under node-server: the answer streams straight into Node's response. */
  const streamAttempt = async (upstream: Upstream, options: UpstreamRequest, exchange: Exchange): Promise<Attempt> => {
    exchange.retry = false;
    exchange.opaque = false;
    exchange.sent = false;
    const outgoing = exchange.outgoing as ServerResponse;
    try {
      // A request queued behind busy connections waits at most the route timeout for one, then is answered unsent.
      const status = await forwardResponse(
        upstream.pool,
        options,
        outgoing,
        onHead,
        exchange,
        markSent,
        timeLeft(exchange),
        minSendMs,
      );
      if (exchange.retry) return { kind: 'retry', status };
      return exchange.opaque ? { kind: 'opaque', status } : answered(status);
    } catch (error) {
      return { kind: 'failed', error, headersSent: outgoing.headersSent, sent: exchange.sent };
    }
  };

  /** One attempt elsewhere (`app.request()` in tests): a streamed web `Response`. */
  const responseAttempt = async (
    upstream: Upstream,
    options: UpstreamRequest,
    exchange: Exchange,
  ): Promise<Attempt> => {
    const { c } = exchange;
    try {
      // Off the hot path: the attempt's headers timeout is what is left of the route's.
      const res = await upstream.pool.request({ ...options, headersTimeout: Math.max(1, timeLeft(exchange)) });
      if (exchange.retriesLeft > 0 && retryableStatus.has(res.statusCode) && payRetry(exchange)) {
        await res.body.dump();
        return { kind: 'retry', status: res.statusCode };
      }
      if (opaqueGatewayError(res.statusCode, res.headers['content-type'])) {
        await res.body.dump();
        return { kind: 'opaque', status: res.statusCode };
      }
      const body = res.statusCode === 204 || res.statusCode === 304 || options.method === 'HEAD' ? null : res.body;
      // Off the hot path: also carry whatever other middleware put on the context.
      const headers = downstreamResponseHeaders(res.headers, c.get('rateLimitFields'), corsFor(c), c.res.headers);
      const response = new Response(body ? (Readable.toWeb(body) as ReadableStream) : null, {
        status: res.statusCode,
        headers: Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])) as [
          string,
          string,
        ][],
      });
      if (!body) res.body.resume();
      return { kind: 'answered', status: res.statusCode, response };
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      return { kind: 'failed', error, headersSent: false, sent: !notSentCodes.has(code) };
    }
  };

  const retryAdvice = 'it may have been applied: read the current state, or retry a change with If-Match';

  return async (c: Context) => {
    const { incoming, outgoing } = (c.env ?? {}) as NodeBindings;
    const method = c.req.method as Dispatcher.HttpMethod;
    const hasBody = method !== 'GET' && method !== 'HEAD' && announcesBody(c);
    const rawHeaders = incoming?.rawHeaders ?? [...c.req.raw.headers].flat();
    const url = incoming?.url ?? c.req.url.slice(c.req.url.indexOf('/', 8));
    const signed = deps.signIdentity(c.get('identity'));
    const identityToken = typeof signed === 'string' ? signed : await signed;
    route.retryBudget.recordRequest();
    const exchange: Exchange = {
      c,
      outgoing,
      retriesLeft: idempotent.has(method) && !hasBody ? route.maxRetries : 0,
      retry: false,
      opaque: false,
      sent: false,
      deadline: performance.now() + timeoutMs,
    };
    const request: UpstreamRequest = {
      path: url,
      method,
      headers: upstreamRequestHeaders(rawHeaders, {
        identityToken,
        requestId: c.get('requestId'),
        traceparent: c.get('traceparent'),
        clientAddress: incoming?.socket.remoteAddress ?? 'unknown',
        synthetic: c.get('synthetic') === true,
      }),
      // Read through Hono, not from `incoming`: the body limit may already have consumed and re-wrapped it.
      body: hasBody ? (c.req.raw.body as unknown as Readable) : null,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    };
    /** What an attempt says about the upstream: nothing when the client, not the upstream, ended it. */
    const verdict = (result: Attempt): Verdict => {
      if (result.kind !== 'failed') return result.status >= 500 ? 'failure' : 'success';
      if (clientGone(outgoing) || bodyAtFault(c, hasBody, result)) return 'none';
      // A timeout may be the request's own doing (an expensive query); a refused or broken connection is not.
      return timeoutCodes.has((result.error as { code?: string }).code ?? '') ? 'failure' : 'unreachable';
    };
    const identity: string = c.get('identity');
    for (;;) {
      const upstream = route.upstreams.pick();
      const { name } = upstream.spec;
      const record = recorders.get(upstream) as UpstreamRecorder;
      const started = performance.now();
      const result = await upstream.breaker.run(
        identity,
        () => (outgoing ? streamAttempt : responseAttempt)(upstream, request, exchange),
        verdict,
      );
      if ('open' in result) {
        record(503, 0);
        c.header('retry-after', String(result.retryAfterSeconds));
        return problem(
          c,
          503,
          'Service Unavailable',
          `upstream ${name} is failing; its circuit breaker is open and the request was not sent`,
          outcomeFields['not-applied'],
        );
      }
      const seconds = (performance.now() - started) / 1000;
      if (result.kind === 'failed' && clientGone(outgoing)) {
        // The client went away (e.g. a load generator closing its connections): no verdict on the upstream.
        record(clientClosedRequest, seconds);
        return sentResponse(clientClosedRequest);
      }
      if (result.kind === 'failed' && bodyAtFault(c, hasBody, result)) {
        // The client's body ended this attempt (too large, too slow, endless, cut off), not the upstream: the
        // client's own 4xx, and no verdict on the upstream (a slow body must not open the breaker).
        const error = c.get('requestBody').error ?? bodyTooSlow(timeoutMs);
        record(error.status, seconds);
        if (result.headersSent) return sentResponse(error.status);
        throw error;
      }
      if (result.kind === 'failed') {
        deps.onUpstreamError?.(name, result.error, c.get('requestId'));
        const code = (result.error as { code?: string }).code ?? '';
        const timedOut = timeoutCodes.has(code);
        const status = timedOut ? 504 : 502;
        record(status, seconds);
        if (result.headersSent) return sentResponse(502);
        // A connection that failed before any byte was sent is safe to retry for idempotent requests.
        if (!timedOut && exchange.retriesLeft > 0 && payRetry(exchange)) continue;
        if (!result.sent) {
          return timedOut
            ? problem(
                c,
                504,
                'Gateway Timeout',
                `no connection to upstream ${name} in time to send it within ${timeoutMs} ms; the request was not sent and is safe to retry`,
                outcomeFields['not-applied'],
              )
            : problem(
                c,
                502,
                'Bad Gateway',
                `upstream ${name} is unreachable; the request was not sent and is safe to retry`,
                outcomeFields['not-applied'],
              );
        }
        return timedOut
          ? problem(
              c,
              504,
              'Gateway Timeout',
              `upstream ${name} did not answer within ${timeoutMs} ms; ${retryAdvice}`,
              outcomeFields.unknown,
            )
          : problem(
              c,
              502,
              'Bad Gateway',
              `the connection to upstream ${name} failed after the request was sent; ${retryAdvice}`,
              outcomeFields.unknown,
            );
      }
      record(result.status, seconds);
      // The budget was paid when the attempt chose to retry.
      if (result.kind === 'retry') continue;
      if (result.kind === 'opaque') {
        const status = result.status as 502 | 503 | 504;
        return problem(
          c,
          status,
          statusTitle(status),
          `upstream ${name} answered ${status} without saying whether the request was applied; ${retryAdvice}`,
          outcomeFields.unknown,
        );
      }
      return result.response ?? sentResponse(result.status);
    }
  };
}
