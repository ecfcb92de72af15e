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
