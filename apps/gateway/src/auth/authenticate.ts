import { auth } from '@homelab/platform';
import { problem } from '@homelab/service-kit';
import type { Context, MiddlewareHandler } from 'hono';
import { JwtRejected } from './jwt-verifier.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** The authenticated caller, set by `authenticate()`. */
    identity: string;
  }
}

export interface AuthenticateOptions {
  readonly verifyApiKey: (key: string) => string | undefined;
  /** Absent when no JWT secret is configured: bearer tokens are then refused. */
  readonly verifyJwt?: (token: string) => Promise<string>;
}

const unauthorized = (c: Context, detail: string): Response => {
  c.header('www-authenticate', 'Bearer realm="homelab", error="invalid_token"');
  return problem(c, 401, 'Unauthorized', detail);
};

/**
 * Authenticates every request by `x-api-key` or `Authorization: Bearer <jwt>`; anything else is a 401
 * problem. The identity header the API trusts is never taken from the client: the proxy drops any copy while
 * copying headers and sets it from `c.var.identity` only.
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler {
  const { verifyApiKey, verifyJwt } = options;
  return async (c, next) => {
    const apiKey = c.req.header(auth.apiKeyHeader);
    const authorization = c.req.header('authorization');
    let identity: string | undefined;
    if (apiKey !== undefined) {
      identity = verifyApiKey(apiKey);
      if (!identity) return unauthorized(c, 'API key not recognised');
    } else if (authorization?.toLowerCase().startsWith('bearer ')) {
      if (!verifyJwt) return unauthorized(c, 'bearer tokens are not accepted here');
      try {
        identity = await verifyJwt(authorization.slice(7).trim());
      } catch (error) {
        return unauthorized(c, error instanceof JwtRejected ? error.message : 'token invalid');
      }
    } else {
      return unauthorized(c, 'credentials required: an x-api-key header or Authorization: Bearer <token>');
    }
    c.set('identity', identity);
    await next();
  };
}
