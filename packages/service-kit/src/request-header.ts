import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * A request header by its lower-case name. On node:http it is read from Node's own parsed headers (which already
 * rejected malformed values, trimmed whitespace and joined repeats with ", " as `Headers#get` does), skipping
 * @hono/node-server's per-call name validation and lookup; elsewhere (`app.request()`) from `c.req.header()`.
 */
export function requestHeader(c: Context, lowerCaseName: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming === undefined) return c.req.header(lowerCaseName);
  const value = incoming.headers[lowerCaseName];
  return typeof value === 'string' ? value : value?.join(', ');
}
