import { Writable } from 'node:stream';
import { createLogger, createMetrics, type Logger } from '@homelab/service-kit';
import { createApiMetrics } from '../api-metrics.ts';
import { createApp } from '../app.ts';
import { createMemoryCache } from '../cache/memory-cache.ts';
import { createRedisCache } from '../cache/redis-cache.ts';
import { migrate } from '../storage/migrate.ts';
import { createPgClient } from '../storage/pg-client.ts';
import { createPgliteClient } from '../storage/pglite-client.ts';
import { testIdentitySecret } from './identity.ts';

export interface TestBackend {
  /** PostgreSQL connection string; undefined: in-memory PGlite. */
  readonly databaseUrl?: string | undefined;
  /** Redis URL; undefined: in-memory cache. */
  readonly redisUrl?: string | undefined;
  readonly maxNotesPerOwner?: number;
  readonly faults?: { enabled: boolean; adminToken?: string };
}

/** Captured log lines, so tests can assert what was (and was not) logged. */
export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ service: 'api', version: 'test', level: 'info', destination }), lines };
}

/** The real app over the chosen backends, migrated, without a port. */
export async function buildTestApp(backend: TestBackend) {
  const { logger, lines } = captureLogger();
  const metrics = createMetrics({ service: 'api', version: 'test', commit: 'test' });
  const apiMetrics = createApiMetrics(metrics);
  const db = backend.databaseUrl
    ? createPgClient({ connectionString: backend.databaseUrl, logger })
    : await createPgliteClient();
  await migrate(db);
  const cache = backend.redisUrl
    ? createRedisCache({ url: backend.redisUrl, ttlSeconds: 60, logger, errors: apiMetrics.cacheErrors })
    : createMemoryCache({ ttlSeconds: 60 });
  const built = createApp({
    logger,
    metrics,
    apiMetrics,
    db,
    cache,
    identitySecret: testIdentitySecret,
    ...(backend.maxNotesPerOwner ? { maxNotesPerOwner: backend.maxNotesPerOwner } : {}),
    ...(backend.faults ? { faults: backend.faults } : {}),
  });
  return { ...built, db, cache, metrics, logger, lines, close: () => built.lifecycle.runShutdownHooks() };
}

export { signTestIdentity, testIdentitySecret, userHeaders } from './identity.ts';
