import { readFileSync } from 'node:fs';
import { apps, auth } from '@homelab/platform';
import { baseEnvSchema, envPort, parseEnv } from '@homelab/service-kit';
import { z } from 'zod';

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
  /** Shared token buckets; unset: one in-memory bucket set per replica. */
  REDIS_URL: z.url().optional(),
  RATE_LIMIT_BURST: positive(100),
  RATE_LIMIT_PER_SECOND: positive(50),
  UPSTREAM_TIMEOUT_MS: positive(3_000),
  UPSTREAM_MAX_RETRIES: z.coerce.number().int().min(0).max(3).default(1),
  UPSTREAM_CONNECTIONS: z.coerce.number().int().positive().default(64),
  BREAKER_FAILURES: z.coerce.number().int().positive().default(5),
  BREAKER_OPEN_MS: positive(5_000),
  /**
   * Signs the identity tokens the API verifies (ADR 0071), or IDENTITY_TOKEN_SECRET_FILE; the API holds the same
   * key. Required: an unsigned identity is what let anyone who reached the API act as any user.
   */
  IDENTITY_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters'),
  IDENTITY_TOKEN_SECRET_FILE: z.string().min(1).optional(),
  /** The one origin allowed to call the API from a browser. */
  WEB_ORIGIN: z.url().default(`http://localhost:${apps.web.port}`),
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema> & { apiKeysText: string; jwtSecret?: string };

/** Parses the environment and reads the mounted secret files, naming the variable when one cannot be read. */
export function loadGatewayEnv(source: Record<string, string | undefined> = process.env): GatewayEnv {
  const env = parseEnv(gatewayEnvSchema, source);
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (error) {
      throw new Error(`${variable}: cannot read ${path}: ${(error as Error).message}`);
    }
  };
  const apiKeysText = env.API_KEYS_FILE ? read('API_KEYS_FILE', env.API_KEYS_FILE) : (env.API_KEYS ?? '');
  const jwtSecret = env.JWT_SECRET_FILE ? read('JWT_SECRET_FILE', env.JWT_SECRET_FILE) : env.JWT_SECRET;
  if (!apiKeysText && !jwtSecret) {
    throw new Error('API_KEYS, API_KEYS_FILE, JWT_SECRET or JWT_SECRET_FILE: configure at least one credential');
  }
  return { ...env, apiKeysText, ...(jwtSecret ? { jwtSecret } : {}) };
}
