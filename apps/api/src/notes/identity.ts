import { http } from '@homelab/platform';
import { problem, requestHeader } from '@homelab/service-kit';
import type { Context, MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /** The user the gateway authenticated. */
    owner: string;
  }
}

/** The identity a signed token names, or undefined (see `createIdentityVerifier` in the service kit). */
export type VerifyIdentity = (token: string | undefined) => string | undefined | Promise<string | undefined>;

/** The caller's identity, or undefined when the token is missing, forged or expired. */
export const ownerOf = (c: Context, verify: VerifyIdentity) => verify(requestHeader(c, http.identityHeader));

export const unauthorized = (c: Context): Response =>
  problem(c, 401, 'Unauthorized', `no valid identity: the ${http.identityHeader} token is missing, forged or expired`);

/**
 * The API trusts exactly one thing about the caller: the identity token the gateway signs after authenticating
 * (ADR 0071). A request that did not pass the gateway has no identity: 401, whatever headers it carries.
 */
export const identity = (verify: VerifyIdentity): MiddlewareHandler =>
  async function identity(c, next) {
    const owner = await ownerOf(c, verify);
    if (owner === undefined) return unauthorized(c);
    c.set('owner', owner);
    await next();
  };
