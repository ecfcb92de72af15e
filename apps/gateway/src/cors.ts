import { http } from '@homelab/platform';
import { requestHeader } from '@homelab/service-kit';
import type { Context } from 'hono';
import { cors } from 'hono/cors';

/** Response headers a browser on the web origin may read. */
export const exposedHeaders: readonly string[] = [
  http.requestIdHeader,
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
];

type Handler = (c: Context) => Response | Promise<Response>;

/**
 * CORS for the one web origin around the gateway's handler. Only browsers send Origin, so API clients skip the
 * CORS work entirely; browser requests get Hono's middleware (preflights answered here, the proxy adds the fields
 * to proxied answers for the web origin).
 */
export function withCors(webOrigin: string, handler: Handler): Handler {
  const middleware = cors({
    origin: webOrigin,
    allowHeaders: ['authorization', 'content-type', http.requestIdHeader, 'traceparent'],
    exposeHeaders: [...exposedHeaders],
    maxAge: 600,
  });
  return (c) => {
    if (requestHeader(c, 'origin') === undefined) return handler(c);
    const preflightOrProxied = middleware(c, async () => {
      c.res = await handler(c);
    }) as Promise<Response | undefined>;
    return preflightOrProxied.then((preflight) => preflight ?? c.res);
  };
}
