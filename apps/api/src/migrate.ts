import { apps } from '@homelab/platform';
import { createLogger } from '@homelab/service-kit';
import { openDatabase } from './dependencies.ts';
import { loadMigrationEnv } from './env.ts';
import { migrate } from './storage/migrate.ts';
import { waitForDatabase } from './storage/wait-for-database.ts';

/**
 * One-shot schema migration (the Kubernetes Job before a rollout): `node src/migrate.ts`. Waits up to
 * DATABASE_WAIT_SECONDS for PostgreSQL, then migrates. Exits 0 when the schema is current, non-zero with the error
 * logged otherwise.
 */
const env = loadMigrationEnv();
const logger = createLogger({
  service: `${apps.api.name}-migrate`,
  version: env.SERVICE_VERSION,
  level: env.LOG_LEVEL,
});
const db = await openDatabase(env, logger);
try {
  await waitForDatabase(db, logger, env.DATABASE_WAIT_SECONDS * 1000);
  const { from, to } = await migrate(db);
  logger.info({ from, to }, 'schema migrated');
} catch (error) {
  logger.fatal({ err: error }, 'migration failed');
  process.exitCode = 1;
} finally {
  await db.close();
  logger.flush();
}
