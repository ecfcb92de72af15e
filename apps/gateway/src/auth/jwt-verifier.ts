import { auth } from '@homelab/platform';
import { errors, jwtVerify } from 'jose';
import { identityPattern } from './api-keys.ts';

export interface JwtVerifierOptions {
  /** Shared HMAC secret (at least 32 bytes). */
  readonly secret: Uint8Array;
  readonly issuer: string;
  readonly audience: string;
  /** Allowed clock skew in seconds. Default `auth.jwtClockSkewSeconds`. */
  readonly clockToleranceSeconds?: number;
  /** Oldest accepted token by its `iat`, whatever its `exp`. Default `auth.jwtMaxAgeSeconds`. */
  readonly maxAgeSeconds?: number;
}

/** Why a token was refused, for the 401 detail; never the token itself. */
export class JwtRejected extends Error {}

/**
 * Verifies bearer tokens with jose. The algorithm is pinned to HS256: a token whose header says `none` or any
 * other algorithm is refused before its signature is considered, which closes the classic algorithm-confusion
 * attacks. `exp`, `iat`, `iss`, `aud` and `sub` are required; `iat` may lie at most the clock skew in the future
 * and at most the maximum age in the past, and `sub` must be a string that is a valid identity (a number or an
 * array used to pass the pattern by its string form, then break the pipeline).
 */
export function createJwtVerifier(options: JwtVerifierOptions): (token: string) => Promise<string> {
  if (options.secret.byteLength < 32) throw new Error('JWT secret must be at least 32 bytes');
  const verifyOptions = {
    algorithms: [auth.jwtAlgorithm],
    issuer: options.issuer,
    audience: options.audience,
    requiredClaims: ['exp', 'iat', 'sub'],
    clockTolerance: options.clockToleranceSeconds ?? auth.jwtClockSkewSeconds,
    maxTokenAge: options.maxAgeSeconds ?? auth.jwtMaxAgeSeconds,
  };
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, options.secret, verifyOptions);
      const subject: unknown = payload.sub;
      if (typeof subject !== 'string' || !identityPattern.test(subject)) {
        throw new JwtRejected('token subject is not a valid identity');
      }
      return subject;
    } catch (error) {
      if (error instanceof JwtRejected) throw error;
      // jose reports a token past the maximum age as expired, naming `iat`.
      if (error instanceof errors.JWTExpired) {
        throw new JwtRejected(error.claim === 'iat' ? 'token too old' : 'token expired');
      }
      if (error instanceof errors.JOSEAlgNotAllowed) throw new JwtRejected('token algorithm not allowed');
      if (error instanceof errors.JWTClaimValidationFailed)
        throw new JwtRejected(`token claim invalid: ${error.claim}`);
      throw new JwtRejected('token invalid');
    }
  };
}
