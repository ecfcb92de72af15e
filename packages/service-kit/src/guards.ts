import { http } from '@homelab/platform';
import type { Context, MiddlewareHandler } from 'hono';
import { timeout } from 'hono/timeout';
import { ProblemError } from './problem.ts';
import { guardRequestBody } from './request-body.ts';
import { requestHeader } from './request-header.ts';
import { presetResponseHeaders } from './response-headers.ts';

/** Sets a response header for every response of this request (see `presetResponseHeaders`). */
export function setResponseHeader(c: Context, name: string, value: string): void {
  presetResponseHeaders(c, { [name]: value });
}

/** Static security headers on every response. The API serves JSON only: nothing may be framed, sniffed or loaded. */
export const securityHeaderValues: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-dns-prefetch-control': 'off',
  'x-permitted-cross-domain-policies': 'none',
});

export function applySecurityHeaders(c: Context): void {
  presetResponseHeaders(c, { ...securityHeaderValues });
}

export const securityHeaders = (): MiddlewareHandler =>
  async function securityHeaders(c, next) {
    applySecurityHeaders(c);
    await next();
  };

export const bodylessMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A declared Content-Length over the limit: refused before anything reads the body. */
export const declaresTooLarge = (c: Context, maxBytes: number): ProblemError | undefined => {
  const declared = requestHeader(c, 'content-length');
  return declared !== undefined && Number(declared) > maxBytes
    ? new ProblemError(413, 'Content Too Large', `request bodies are limited to ${maxBytes} bytes`)
    : undefined;
};

/**
 * 413 for bodies over `maxBytes` (by Content-Length at once, or while streaming), 408 for a body still arriving
 * after `deadlineMs`: see `guardRequestBody`. GET/HEAD/OPTIONS skip the check: asking a request for its body
 * stream makes @hono/node-server build a full Request object on the hot read path. The front door does the same
 * inline; this is the middleware form.
 */
export const bodyLimit = (maxBytes: number, deadlineMs: number = http.bodyDeadlineMs): MiddlewareHandler =>
  async function bodyLimit(c, next) {
    if (bodylessMethods.has(c.req.method)) return next();
    const tooLarge = declaresTooLarge(c, maxBytes);
    if (tooLarge) throw tooLarge;
    const stop = guardRequestBody(c, { maxBytes, deadlineMs });
    try {
      await next();
      const error = c.get('requestBody')?.error;
      if (error) throw error;
    } finally {
      stop();
    }
  };

/**
 * Settles like `work`, or rejects with `timeoutError` (default: a 504 problem) after `ms`. One promise and one
 * timer per call (Hono's timeout middleware races two promises through an array). Pass a prebuilt error on hot
 * paths so no stack is captured per timeout.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, timeoutError?: Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          timeoutError ?? new ProblemError(504, 'Gateway Timeout', `the request did not complete within ${ms} ms`),
        ),
      ms,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** 504 problem when the handler has not answered within `ms`. */
export const requestTimeout = (ms: number): MiddlewareHandler =>
  timeout(ms, () => new ProblemError(504, 'Gateway Timeout', `the request did not complete within ${ms} ms`));
