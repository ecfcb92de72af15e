import { auth, identityToken } from '@homelab/platform';
import { jwtVerify, SignJWT } from 'jose';

export interface IdentityTokenOptions {
  /** The shared HMAC key (at least 32 bytes), from `IDENTITY_TOKEN_SECRET`. */
  readonly secret: string | Uint8Array;
  /** Default `identityToken.lifetimeSeconds`. */
  readonly lifetimeSeconds?: number;
  /** Default `Date.now`. */
  readonly now?: () => number;
}

/** Identities as the gateway produces them (API key owners, JWT subjects). */
export const identityPattern = /^[A-Za-z0-9._@:|-]{1,128}$/;

/** Tokens remembered at once; a full cache is dropped whole (bounded memory, no per-request bookkeeping). */
const maxCached = 10_000;

const keyOf = (secret: string | Uint8Array): Uint8Array => {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (key.byteLength < 32) throw new Error(`${identityToken.secretVariable} must be at least 32 bytes`);
  return key;
};

/**
 * The gateway's half: a signed, short-lived token naming the identity it authenticated. One token per identity is
 * reused for half its lifetime, so the hot path pays an HMAC per identity per half-minute, not per request.
 */
export function createIdentitySigner(options: IdentityTokenOptions): (identity: string) => string | Promise<string> {
  const key = keyOf(options.secret);
  const lifetime = options.lifetimeSeconds ?? identityToken.lifetimeSeconds;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { token: string; renewAt: number }>();
  return (identity) => {
    const at = now();
    const cached = cache.get(identity);
    if (cached !== undefined && at < cached.renewAt) return cached.token;
    const issuedAt = Math.floor(at / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: identityToken.algorithm })
      .setIssuer(identityToken.issuer)
      .setAudience(identityToken.audience)
      .setSubject(identity)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + lifetime)
      .sign(key)
      .then((token) => {
        if (cache.size >= maxCached) cache.clear();
        cache.set(identity, { token, renewAt: at + (lifetime * 1000) / 2 });
        return token;
      });
  };
}

/**
 * The API's half: the identity a token names, or undefined when it is missing, forged, expired, for another
 * audience or signed with another algorithm (pinned to HS256, so `none` and key-confusion tricks fail). A verified
 * token is remembered until it expires: the gateway reuses its tokens, so this is one HMAC per identity per
 * half-minute on the hot path.
 */
export function createIdentityVerifier(
  options: IdentityTokenOptions,
): (token: string | undefined) => string | undefined | Promise<string | undefined> {
  const key = keyOf(options.secret);
  const now = options.now ?? Date.now;
  const verified = new Map<string, { identity: string; expiresAt: number }>();
  const verifyOptions = {
    algorithms: [identityToken.algorithm],
    issuer: identityToken.issuer,
    audience: identityToken.audience,
    requiredClaims: ['exp', 'iat', 'sub'],
    // The gateway's clock is the API's within the same skew the gateway allows its callers; a token is never
    // older than its lifetime, whatever its `exp` claims (an `iat` in the future fails too).
    clockTolerance: auth.jwtClockSkewSeconds,
    maxTokenAge: identityToken.lifetimeSeconds,
    currentDate: undefined as Date | undefined,
  };
  return (token) => {
    if (token === undefined || token.length > 1024) return undefined;
    const at = now();
    const cached = verified.get(token);
    if (cached !== undefined) {
      if (at < cached.expiresAt) return cached.identity;
      verified.delete(token);
      return undefined;
    }
    return jwtVerify(token, key, { ...verifyOptions, currentDate: new Date(at) }).then(
      ({ payload }) => {
        const identity: unknown = payload.sub;
        // Its type first: a number or an array passes the pattern by its string form.
        if (typeof identity !== 'string' || !identityPattern.test(identity)) return undefined;
        if (verified.size >= maxCached) verified.clear();
        verified.set(token, { identity, expiresAt: (payload.exp as number) * 1000 });
        return identity;
      },
      () => undefined,
    );
  };
}
