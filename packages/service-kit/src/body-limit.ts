import type { Context } from 'hono';
import { ProblemError } from './problem.ts';
import { requestHeader } from './request-header.ts';

/**
 * Methods whose requests carry no body: the front door skips the body guard for them, since asking a request for
 * its body stream makes @hono/node-server build a full Request object on the hot read path.
 */
export const bodylessMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A declared Content-Length over the limit: refused (413) before anything reads the body. A body that streams past
 * the limit or arrives too slowly is refused while it is read (`guardRequestBody`, request-body.ts).
 */
export const declaresTooLarge = (c: Context, maxBytes: number): ProblemError | undefined => {
  const declared = requestHeader(c, 'content-length');
  return declared !== undefined && Number(declared) > maxBytes
    ? new ProblemError(413, 'Content Too Large', `request bodies are limited to ${maxBytes} bytes`)
    : undefined;
};
