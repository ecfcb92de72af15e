import { auth } from '@homelab/platform';
import { problem, requestHeader } from '@homelab/service-kit';
import type { Context } from 'hono';
import { JwtRejected } from './jwt-verifier.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** The authenticated caller, set by the gateway's handler from `identifyCaller`. */
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
 * Finds the caller of a request by `x-api-key` or `Authorization: Bearer <jwt>`: the identity, or the 401 problem
 * to answer. API keys are answered synchronously (no promise on the hot path); bearer tokens asynchronously.
 * The identity header the API trusts is never taken from the client: the proxy drops any copy while copying
 * headers and sets it from the identity found here only.
 */
export function identifyCaller(
  options: AuthenticateOptions,
): (c: Context) => string | Response | Promise<string | Response> {
  const { verifyApiKey, verifyJwt } = options;
  const bearer = async (c: Context, token: string): Promise<string | Response> => {
    if (!verifyJwt) return unauthorized(c, 'bearer tokens are not accepted here');
    try {
      return await verifyJwt(token);
    } catch (error) {
      return unauthorized(c, error instanceof JwtRejected ? error.message : 'token invalid');
    }
  };
  return (c) => {
    const apiKey = requestHeader(c, auth.apiKeyHeader);
    if (apiKey !== undefined) return verifyApiKey(apiKey) || unauthorized(c, 'API key not recognised');
    const authorization = requestHeader(c, 'authorization');
    if (authorization?.toLowerCase().startsWith('bearer ')) return bearer(c, authorization.slice(7).trim());
    return unauthorized(c, 'credentials required: an x-api-key header or Authorization: Bearer <token>');
  };
}
