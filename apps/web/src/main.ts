import { apps } from '@homelab/platform';
import { ConfigError, createLogger, createMetrics, serve } from '@homelab/service-kit';
import { createApp } from './app.tsx';
import { loadWebEnv, parseTargets, type WebEnv } from './env.ts';
import { createGatewayClient } from './gateway-client.ts';
import { createSessions } from './session.ts';
import { statusFromPrometheus, statusFromServiceMetrics } from './status/slo-status.ts';
import { createUserDirectory } from './users.ts';

let env: WebEnv;
try {
  env = loadWebEnv();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(78); // EX_CONFIG
}
const logger = createLogger({ service: apps.web.name, version: env.SERVICE_VERSION, level: env.LOG_LEVEL });
const metrics = createMetrics({ service: apps.web.name, version: env.SERVICE_VERSION, commit: env.GIT_COMMIT });
const targets = parseTargets(env.METRICS_TARGETS);
const prometheusUrl = env.PROMETHEUS_URL;

const { app, lifecycle } = createApp({
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
});

await serve({ app, port: env.PORT, host: env.HOST, logger, lifecycle });
