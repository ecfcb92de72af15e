import { apps } from '@homelab/platform';
import { runService } from '@homelab/service-kit';
import { Redis } from 'ioredis';
import { createApp } from './app.tsx';
import { loadWebEnv, parseTargets } from './env.ts';
import { createGatewayClient } from './gateway-client.ts';
import { createSessions } from './session.ts';
import { createMemoryRevocations, createRedisRevocations } from './session-revocations.ts';
import { statusFromPrometheus, statusFromServiceMetrics } from './status/slo-status.ts';
import { createUserDirectory } from './users.ts';

await runService({
  name: apps.web.name,
  loadEnv: () => loadWebEnv(),
  createApp: async ({ env, logger, metrics }) => {
    const targets = parseTargets(env.METRICS_TARGETS);
    const prometheusUrl = env.PROMETHEUS_URL;
    // Fail fast instead of queueing: while Redis is away this replica's own memory still holds its sign-outs.
    const redis = env.REDIS_URL
      ? new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 })
      : undefined;
    const revocations = redis
      ? createRedisRevocations(redis, {
          onError: (error) => logger.warn({ err: error }, 'session revocations: Redis unavailable'),
        })
      : createMemoryRevocations();
    const web = createApp({
      logger,
      metrics,
      gateway: createGatewayClient({
        baseUrl: env.GATEWAY_URL,
        jwtSecret: new TextEncoder().encode(env.JWT_SECRET),
        timeoutMs: env.GATEWAY_TIMEOUT_MS,
      }),
      sessions: createSessions({
        secret: env.SESSION_SECRET,
        secure: env.COOKIE_SECURE === 'true',
        revocations,
        // Memory-only sign-outs die with the process: a restart then ends every earlier session (ADR 0121).
        ...(redis ? {} : { issuedNotBefore: Math.floor(Date.now() / 1000) }),
      }),
      users: await createUserDirectory(env.WEB_USERS),
      readStatus: prometheusUrl ? () => statusFromPrometheus(prometheusUrl) : () => statusFromServiceMetrics(targets),
      faults: { enabled: env.FAULTS_ENABLED, adminToken: env.ADMIN_TOKEN },
      deployHistoryFile: env.DEPLOY_HISTORY_FILE,
      syntheticIdentity: env.SYNTHETIC_IDENTITY,
    });
    if (redis) web.lifecycle.onShutdown(async () => void (await redis.quit()));
    return web;
  },
});
