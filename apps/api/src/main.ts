import { apps } from '@homelab/platform';
import { runService } from '@homelab/service-kit';
import { createApiMetrics } from './api-metrics.ts';
import { createApp } from './app.ts';
import { openCache, openDatabase } from './dependencies.ts';
import { loadApiEnv } from './env.ts';
import { migrate } from './storage/migrate.ts';

/** Process entry point: env, dependencies, optional migration, then serve with graceful shutdown. */
await runService({
  name: apps.api.name,
  loadEnv: () => loadApiEnv(),
  createApp: async ({ env, logger, metrics }) => {
    const apiMetrics = createApiMetrics(metrics);
    const db = await openDatabase(env, logger);
    if (env.MIGRATE_ON_START ?? env.DATABASE_URL === undefined) {
      const { from, to } = await migrate(db);
      logger.info({ from, to }, 'schema migrated');
    }
    const cache = openCache(env, logger, apiMetrics);
    return createApp({
      logger,
      metrics,
      apiMetrics,
      db,
      cache,
      identitySecret: env.IDENTITY_TOKEN_SECRET,
      faults: { enabled: env.FAULTS_ENABLED, adminToken: env.ADMIN_TOKEN },
      maxNotesPerOwner: env.MAX_NOTES_PER_USER,
    });
  },
});
