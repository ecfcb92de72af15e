import { http } from '@homelab/platform';
import { problem, requestHeader } from '@homelab/service-kit';
import type { Context, MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /** The user the gateway authenticated. */
    owner: string;
  }
}

/** User ids as the gateway forwards them; anything else is not an identity the gateway produced. */
const ownerPattern = /^[A-Za-z0-9._@:|-]{1,128}$/;

/** The caller's identity, or undefined when the header is missing or malformed. */
export const ownerOf = (c: Context): string | undefined => {
  const owner = requestHeader(c, http.identityHeader);
  return owner !== undefined && ownerPattern.test(owner) ? owner : undefined;
};

export const unauthorized = (c: Context): Response =>
  problem(c, 401, 'Unauthorized', `the ${http.identityHeader} header is missing or malformed`);

/**
 * The API trusts exactly one thing about the caller: the identity header the gateway sets after authenticating
 * (the gateway strips client copies, and the NetworkPolicy admits only the gateway). Missing or malformed: 401.
 */
export const identity = (): MiddlewareHandler =>
  async function identity(c, next) {
    const owner = ownerOf(c);
    if (owner === undefined) return unauthorized(c);
    c.set('owner', owner);
    await next();
  };
