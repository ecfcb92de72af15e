import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { timeout } from 'hono/timeout';
import { ProblemError } from './problem.ts';

/**
 * Static security headers, set before the handler runs so they are part of the response the handler builds
 * (cheaper than rewriting finished responses). The API serves JSON only: nothing may be framed, sniffed or loaded.
 */
export const securityHeaders = (): MiddlewareHandler => {
  const headers: readonly [string, string][] = [
    ['x-content-type-options', 'nosniff'],
    ['x-frame-options', 'DENY'],
    ['referrer-policy', 'no-referrer'],
    ['cross-origin-opener-policy', 'same-origin'],
    ['cross-origin-resource-policy', 'same-origin'],
    ['strict-transport-security', 'max-age=15552000; includeSubDomains'],
    ['x-dns-prefetch-control', 'off'],
    ['x-permitted-cross-domain-policies', 'none'],
  ];
  return async function securityHeaders(c, next) {
    for (const [name, value] of headers) c.header(name, value);
    await next();
  };
};

const bodylessMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * 413 for bodies over `maxBytes`, by Content-Length or while streaming. GET/HEAD/OPTIONS skip the check: asking
 * a request for its body stream makes @hono/node-server build a full Request object on the hot read path.
 */
export const bodyLimit = (maxBytes: number): MiddlewareHandler => {
  const limit = honoBodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ProblemError(413, 'Content Too Large', `request bodies are limited to ${maxBytes} bytes`);
    },
  });
  return async function bodyLimit(c, next) {
    if (bodylessMethods.has(c.req.method)) return next();
    return limit(c, next);
  };
};

/** 504 problem when the handler has not answered within `ms`. */
export const requestTimeout = (ms: number): MiddlewareHandler =>
  timeout(ms, () => new ProblemError(504, 'Gateway Timeout', `the request did not complete within ${ms} ms`));
