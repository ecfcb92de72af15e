import { apps } from '@homelab/platform';
import { createIdentitySigner, runService } from '@homelab/service-kit';
import { Redis } from 'ioredis';
import { createApp } from './app.ts';
import { createApiKeyVerifier, parseApiKeys } from './auth/api-keys.ts';
import { createJwtVerifier } from './auth/jwt-verifier.ts';
import { loadGatewayEnv } from './env.ts';
import { createRedisRateLimiter } from './rate-limit/redis-rate-limiter.ts';
import { createMemoryRateLimiter } from './rate-limit/token-bucket.ts';
import type { UpstreamSpec } from './upstreams/weighted-upstreams.ts';

await runService({
  name: apps.gateway.name,
  loadEnv: () => loadGatewayEnv(),
  createApp: ({ env, logger, metrics }) => {
    const upstreams: UpstreamSpec[] = [
      {
        name: 'stable',
        url: env.API_URL,
        version: env.API_VERSION,
        weight: 100 - (env.CANARY_URL ? env.CANARY_WEIGHT : 0),
      },
    ];
    if (env.CANARY_URL) {
      upstreams.push({ name: 'canary', url: env.CANARY_URL, version: env.CANARY_VERSION, weight: env.CANARY_WEIGHT });
    }

    const policy = { capacity: env.RATE_LIMIT_BURST, refillPerSecond: env.RATE_LIMIT_PER_SECOND };
    const limiter = env.REDIS_URL
      ? createRedisRateLimiter(
          // Fail fast instead of queueing: while Redis is away the in-memory buckets answer. Auto-pipelining sends the
          // lease scripts of all identities renewing in one event-loop tick in one write.
          new Redis(env.REDIS_URL, {
            maxRetriesPerRequest: 1,
            enableOfflineQueue: false,
            connectTimeout: 2_000,
            enableAutoPipelining: true,
          }),
          policy,
          {
            onFallback: (error) =>
              logger.warn({ err: error }, 'rate limiter: Redis unavailable, using in-memory buckets'),
          },
        )
      : createMemoryRateLimiter(policy);

    return createApp({
      logger,
      metrics,
      upstreams,
      verifyApiKey: createApiKeyVerifier(parseApiKeys(env.apiKeysText)),
      ...(env.jwtSecret
        ? {
            verifyJwt: createJwtVerifier({
              secret: new TextEncoder().encode(env.jwtSecret),
              issuer: env.JWT_ISSUER,
              audience: env.JWT_AUDIENCE,
              clockToleranceSeconds: env.JWT_CLOCK_SKEW_SECONDS,
              maxAgeSeconds: env.JWT_MAX_AGE_SECONDS,
            }),
          }
        : {}),
      limiter,
      signIdentity: createIdentitySigner({ secret: env.IDENTITY_TOKEN_SECRET }),
      ...(env.ADMIN_TOKEN ? { adminToken: env.ADMIN_TOKEN } : {}),
      ...(env.METRICS_TOKEN ? { metricsToken: env.METRICS_TOKEN } : {}),
      syntheticIdentity: env.SYNTHETIC_IDENTITY,
      faultsEnabled: env.FAULTS_ENABLED,
      webOrigin: env.WEB_ORIGIN,
      timeoutMs: env.UPSTREAM_TIMEOUT_MS,
      maxRetries: env.UPSTREAM_MAX_RETRIES,
      connections: env.UPSTREAM_CONNECTIONS,
      breaker: {
        failureRatio: env.BREAKER_FAILURE_RATIO,
        windowMs: env.BREAKER_WINDOW_MS,
        minimumRequests: env.BREAKER_MIN_REQUESTS,
        maxFailuresPerIdentity: env.BREAKER_MAX_FAILURES_PER_IDENTITY,
        openMs: env.BREAKER_OPEN_MS,
      },
    });
  },
});
