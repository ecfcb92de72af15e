import { apps } from '@homelab/platform';
import { createLogger, createMetrics, serve } from '@homelab/service-kit';
import { createApiMetrics } from '../../src/api-metrics.ts';
import { createApp } from '../../src/app.ts';
import { createRedisCache } from '../../src/cache/redis-cache.ts';
import { createPgClient } from '../../src/storage/pg-client.ts';
import { testIdentitySecret } from '../../src/testing/identity.ts';

/**
 * The real notes app (createApp) over PostgreSQL and Redis. argv: port, database url, redis url, "on" | "off"
 * (access log and RED metrics). Logs go to stdout, which the benchmark discards (/dev/null), as a container's
 * stdout would be consumed by the runtime.
 */
const [port = '0', databaseUrl = '', redisUrl = '', observability = 'on'] = process.argv.slice(2);
const on = observability === 'on';
const logger = createLogger({ service: apps.api.name, version: 'bench', level: on ? 'info' : 'silent' });
const metrics = createMetrics({ service: apps.api.name, version: 'bench', commit: 'bench' });
const apiMetrics = createApiMetrics(metrics);
const db = createPgClient({ connectionString: databaseUrl, logger });
const cache = createRedisCache({ url: redisUrl, ttlSeconds: 3600, logger, errors: apiMetrics.cacheErrors });
const { app, lifecycle } = createApp({
  logger,
  metrics,
  apiMetrics,
  db,
  cache,
  identitySecret: testIdentitySecret,
  accessLog: on,
  requestMetrics: on,
});
await serve({ app, port: Number(port), host: '127.0.0.1', logger, lifecycle, lingerMs: 0 });
process.send?.('ready');
