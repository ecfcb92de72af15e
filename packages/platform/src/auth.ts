/**
 * How callers authenticate at the gateway. The web app mints bearer tokens and the gateway verifies them, so both
 * read the issuer, audience and the one allowed algorithm from here.
 */
export const auth = {
  jwtIssuer: 'homelab',
  jwtAudience: 'homelab-api',
  /** Pinned: a token whose header names any other algorithm (or `none`) is refused. */
  jwtAlgorithm: 'HS256',
  /** Header carrying an API key (stored hashed by the gateway). */
  apiKeyHeader: 'x-api-key',
} as const;

/**
 * The gateway → API identity: a short-lived HS256 token the gateway signs for every request it authenticated and
 * the API verifies (ADR 0071). Without it the API would trust a plain header from anyone who can reach it.
 */
export const identityToken = {
  /** Sent in `http.identityHeader`. */
  issuer: 'homelab-gateway',
  audience: 'homelab-api',
  algorithm: 'HS256',
  /** Short: a leaked token is worth one minute. The gateway reuses one for half of that. */
  lifetimeSeconds: 60,
  /** The environment variable (and Secret key) holding the shared key, in the gateway and the API. */
  secretVariable: 'IDENTITY_TOKEN_SECRET',
} as const;
