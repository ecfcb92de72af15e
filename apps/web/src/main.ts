import { apps } from '@homelab/platform';
import { runService } from '@homelab/service-kit';
import { createApp } from './app.tsx';
import { loadWebEnv, parseTargets } from './env.ts';
import { createGatewayClient } from './gateway-client.ts';
import { createSessions } from './session.ts';
import { statusFromPrometheus, statusFromServiceMetrics } from './status/slo-status.ts';
import { createUserDirectory } from './users.ts';

await runService({
  name: apps.web.name,
  loadEnv: () => loadWebEnv(),
  createApp: async ({ env, logger, metrics }) => {
    const targets = parseTargets(env.METRICS_TARGETS);
    const prometheusUrl = env.PROMETHEUS_URL;
    return createApp({
      logger,
      metrics,
      gateway: createGatewayClient({
        baseUrl: env.GATEWAY_URL,
        jwtSecret: new TextEncoder().encode(env.JWT_SECRET),
        timeoutMs: env.GATEWAY_TIMEOUT_MS,
      }),
      sessions: createSessions({ secret: env.SESSION_SECRET, secure: env.COOKIE_SECURE === 'true' }),
      users: await createUserDirectory(env.WEB_USERS),
      readStatus: prometheusUrl ? () => statusFromPrometheus(prometheusUrl) : () => statusFromServiceMetrics(targets),
      faults: { enabled: env.FAULTS_ENABLED, adminToken: env.ADMIN_TOKEN },
      deployHistoryFile: env.DEPLOY_HISTORY_FILE,
    });
  },
});
