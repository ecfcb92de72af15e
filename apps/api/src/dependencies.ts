import type { Logger } from '@homelab/service-kit';
import type { ApiMetrics } from './api-metrics.ts';
import { createMemoryCache } from './cache/memory-cache.ts';
import type { NoteCache } from './cache/note-cache.ts';
import { createRedisCache } from './cache/redis-cache.ts';
import type { ApiEnv } from './env.ts';
import { createPgClient } from './storage/pg-client.ts';
import { createPgliteClient } from './storage/pglite-client.ts';
import type { SqlClient } from './storage/sql-client.ts';

/** PostgreSQL when DATABASE_URL is set, else embedded PGlite in PGLITE_DATA_DIR. */
export async function openDatabase(
  env: Pick<ApiEnv, 'DATABASE_URL' | 'DATABASE_POOL_MAX' | 'PGLITE_DATA_DIR'>,
  logger: Logger,
): Promise<SqlClient> {
  if (env.DATABASE_URL) {
    return createPgClient({ connectionString: env.DATABASE_URL, logger, max: env.DATABASE_POOL_MAX });
  }
  logger.warn({ dataDir: env.PGLITE_DATA_DIR }, 'DATABASE_URL unset: using embedded PGlite (local mode)');
  return createPgliteClient(env.PGLITE_DATA_DIR);
}

/** Redis when REDIS_URL is set, else an in-process cache. */
export function openCache(env: ApiEnv, logger: Logger, apiMetrics: ApiMetrics): NoteCache {
  if (env.REDIS_URL) {
    return createRedisCache({
      url: env.REDIS_URL,
      ttlSeconds: env.CACHE_TTL_SECONDS,
      logger,
      errors: apiMetrics.cacheErrors,
    });
  }
  logger.warn('REDIS_URL unset: using the in-memory cache (local mode)');
  return createMemoryCache({ ttlSeconds: env.CACHE_TTL_SECONDS });
}
