import type { MiddlewareHandler } from 'hono';
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
  /** Builds the 401 response (problem+json from the service kit). */
  readonly unauthorized: (detail: string) => Response;
}

/**
 * Authenticates every request by `x-api-key` or `Authorization: Bearer <jwt>`. The identity header the API
 * trusts is never taken from the client: the proxy drops any copy while copying headers and sets it from
 * `c.var.identity` only.
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler {
  const { verifyApiKey, verifyJwt, unauthorized } = options;
  return async (c, next) => {
    const apiKey = c.req.header('x-api-key');
    const authorization = c.req.header('authorization');
    let identity: string | undefined;
    if (apiKey !== undefined) {
      identity = verifyApiKey(apiKey);
      if (!identity) return unauthorized('API key not recognised');
    } else if (authorization?.toLowerCase().startsWith('bearer ')) {
      if (!verifyJwt) return unauthorized('bearer tokens are not accepted here');
      try {
        identity = await verifyJwt(authorization.slice(7).trim());
      } catch (error) {
        return unauthorized(error instanceof JwtRejected ? error.message : 'token invalid');
      }
    } else {
      return unauthorized('credentials required: x-api-key header or Authorization: Bearer token');
    }
    c.set('identity', identity);
    await next();
  };
}
