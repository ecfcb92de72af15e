import { apps, auth, canaryGate, http } from '@homelab/platform';
import { baseEnvSchema, ConfigError, envPort, parseEnv } from '@homelab/service-kit';
import { z } from 'zod';
import { maxRouteTimeoutMs } from './route-timeout.ts';

const positive = (fallback: number) => z.coerce.number().positive().default(fallback);

/** The gateway's configuration; the only place that reads its environment. */
export const gatewayEnvSchema = baseEnvSchema.extend({
  PORT: envPort(apps.gateway.port),
  /** The stable API. */
  API_URL: z.url().default(`http://127.0.0.1:${apps.api.port}`),
  API_VERSION: z.string().min(1).default('stable'),
  /** A second API that takes CANARY_WEIGHT percent of the traffic (changeable at run time). */
  CANARY_URL: z.url().optional(),
  CANARY_VERSION: z.string().min(1).default('canary'),
  CANARY_WEIGHT: z.coerce.number().min(0).max(100).default(0),
  /** Hashed API keys: `identity:sha256,...` or a mounted JSON file of `{ identity, sha256 }`. */
  API_KEYS: z.string().optional(),
  API_KEYS_FILE: z.string().min(1).optional(),
  /** HS256 secret for bearer tokens (>= 32 bytes), or a mounted file holding it. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_SECRET_FILE: z.string().min(1).optional(),
  JWT_ISSUER: z.string().min(1).default(auth.jwtIssuer),
  JWT_AUDIENCE: z.string().min(1).default(auth.jwtAudience),
  /** How far `iat` may lie in the future (and `exp` in the past): clocks disagree a little. */
  JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(auth.jwtClockSkewSeconds),
  /** A bearer token older than this by its `iat` is refused, whatever its `exp`. */
  JWT_MAX_AGE_SECONDS: z.coerce.number().int().positive().default(auth.jwtMaxAgeSeconds),
  /** Shared token buckets; unset: one in-memory bucket set per replica. */
  REDIS_URL: z.url().optional(),
  RATE_LIMIT_BURST: positive(100),
  RATE_LIMIT_PER_SECOND: positive(50),
  /**
   * The route's timeout: from the request's arrival at the proxy, the upstream's answer must start within this
   * (waiting for a connection and retries included), and each chunk follow within it, or 504. At least
   * `http.upstreamTimeoutMarginMs` below the kit's request timeout, so the proxy, which knows whether the request
   * was sent, answers first.
   */
  UPSTREAM_TIMEOUT_MS: z.coerce
    .number()
    .positive()
    .max(
      maxRouteTimeoutMs,
      `must be at most ${maxRouteTimeoutMs} ms: ${http.upstreamTimeoutMarginMs} ms below the request timeout (${http.requestTimeoutMs} ms)`,
    )
    .default(3_000),
  UPSTREAM_MAX_RETRIES: z.coerce.number().int().min(0).max(3).default(1),
  UPSTREAM_CONNECTIONS: z.coerce.number().int().positive().default(64),
  /** Share of counted requests in the window that must fail to open the breaker (ADR 0070). */
  BREAKER_FAILURE_RATIO: z.coerce.number().gt(0).lt(1).default(0.5),
  BREAKER_WINDOW_MS: positive(10_000),
  /** Requests the window must hold before the breaker may open. */
  BREAKER_MIN_REQUESTS: z.coerce.number().int().positive().default(20),
  /** Failures one identity may contribute to the window; the rest are no verdict on the upstream. */
  BREAKER_MAX_FAILURES_PER_IDENTITY: z.coerce.number().int().positive().default(3),
  /** Open time before a probe passes; short, because the first successful probe closes it. */
  BREAKER_OPEN_MS: positive(500),
  /**
   * Signs the identity tokens the API verifies (ADR 0071), or IDENTITY_TOKEN_SECRET_FILE; the API holds the same
   * key. Required: an unsigned identity is what let anyone who reached the API act as any user.
   */
  IDENTITY_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters'),
  IDENTITY_TOKEN_SECRET_FILE: z.string().min(1).optional(),
  /**
   * Bearer token Prometheus presents for `/metrics` (METRICS_TOKEN_FILE: a mounted Secret). Unset: only loopback
   * callers may read the metrics (ADR 0122).
   */
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  METRICS_TOKEN_FILE: z.string().min(1).optional(),
  /** The only identity whose synthetic-traffic tag counts (ADR 0130): the canary gate's load-test API key. */
  SYNTHETIC_IDENTITY: z.string().min(1).default(canaryGate.synthetic.identity),
  /** The one origin allowed to call the API from a browser. */
  WEB_ORIGIN: z.url().default(`http://localhost:${apps.web.port}`),
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema> & { apiKeysText: string; jwtSecret?: string };

/**
 * Parses the environment. The kit's `parseEnv` has already read API_KEYS_FILE and JWT_SECRET_FILE into API_KEYS
 * and JWT_SECRET (naming the _FILE variable when one cannot be read), as it does for every variable.
 */
export function loadGatewayEnv(source: Record<string, string | undefined> = process.env): GatewayEnv {
  const env = parseEnv(gatewayEnvSchema, source);
  const apiKeysText = env.API_KEYS ?? '';
  const jwtSecret = env.JWT_SECRET;
  if (!apiKeysText && !jwtSecret) {
    throw new ConfigError([
      {
        variable: 'API_KEYS, API_KEYS_FILE, JWT_SECRET or JWT_SECRET_FILE',
        message: 'configure at least one credential',
      },
    ]);
  }
  return { ...env, apiKeysText, ...(jwtSecret ? { jwtSecret } : {}) };
}
