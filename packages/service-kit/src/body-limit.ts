import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { ProblemError } from './problem.ts';

/** Methods whose requests carry no body: the front door skips the body limit for them. */
export const bodylessMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

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
