import { apps } from '@homelab/platform';
import { ConfigError, createLogger, createMetrics, serve } from '@homelab/service-kit';
import { createApiMetrics } from './api-metrics.ts';
import { createApp } from './app.ts';
import { openCache, openDatabase } from './dependencies.ts';
import { loadApiEnv } from './env.ts';
import { migrate } from './storage/migrate.ts';

/** Process entry point: env, dependencies, optional migration, then serve with graceful shutdown. */
async function main() {
  let env: ReturnType<typeof loadApiEnv>;
  try {
    env = loadApiEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ service: apps.api.name, version: env.SERVICE_VERSION, level: env.LOG_LEVEL });
  const metrics = createMetrics({ service: apps.api.name, version: env.SERVICE_VERSION, commit: env.GIT_COMMIT });
  const apiMetrics = createApiMetrics(metrics);
  const db = await openDatabase(env, logger);
  if (env.MIGRATE_ON_START ?? env.DATABASE_URL === undefined) {
    const { from, to } = await migrate(db);
    logger.info({ from, to }, 'schema migrated');
  }
  const cache = openCache(env, logger, apiMetrics);
  const { app, lifecycle } = createApp({
    logger,
    metrics,
    apiMetrics,
    db,
    cache,
    identitySecret: env.IDENTITY_TOKEN_SECRET,
    faults: { enabled: env.FAULTS_ENABLED, adminToken: env.ADMIN_TOKEN },
    maxNotesPerOwner: env.MAX_NOTES_PER_USER,
  });
  await serve({ app, port: env.PORT, host: env.HOST, logger, lifecycle });
}

await main();
