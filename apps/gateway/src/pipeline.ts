import type { Context } from 'hono';

type Maybe<T> = T | Promise<T>;

/**
 * Authenticate, rate-limit, proxy: one handler instead of three middleware levels and a route handler (each level
 * is a dispatch promise, a `next` closure and an async frame per request), in that order. Both checks answer
 * synchronously on the hot path (a remembered API key, a leased token). Nothing reads the request body before
 * `forward`: a caller without credentials or over its limit is answered without waiting for its body.
 */
export function admitAndForward(
  identify: (c: Context) => Maybe<string | Response>,
  admit: (c: Context, identity: string) => Maybe<Response | undefined>,
  forward: (c: Context) => Promise<Response>,
): (c: Context) => Maybe<Response> {
  const admitted = (c: Context, identity: string): Maybe<Response> => {
    c.set('identity', identity);
    const refusal = admit(c, identity);
    if (refusal === undefined) return forward(c);
    if (refusal instanceof Promise) return refusal.then((r) => r ?? forward(c));
    return refusal;
  };
  return (c) => {
    const identity = identify(c);
    if (typeof identity === 'string') return admitted(c, identity);
    if (identity instanceof Promise) return identity.then((id) => (typeof id === 'string' ? admitted(c, id) : id));
    return identity;
  };
}
