import { randomUUID } from 'node:crypto';
import { apps, http } from '@homelab/platform';
import { createLogger, createMetrics } from '@homelab/service-kit';
import Fastify from 'fastify';
import { createApiMetrics } from '../../src/api-metrics.ts';
import { noteCacheKey } from '../../src/cache/note-cache.ts';
import { createRedisCache } from '../../src/cache/redis-cache.ts';
import { createNotesRepository } from '../../src/notes/notes-repository.ts';
import { createPgClient } from '../../src/storage/pg-client.ts';

/**
 * The same endpoint as a user would write it with Fastify: same pino logger (one access line per request), same
 * prom-client RED metrics, same request id and security headers, same identity and id checks, same cache and
 * repository. argv: port, database url, redis url.
 */
const [port = '0', databaseUrl = '', redisUrl = ''] = process.argv.slice(2);
const logger = createLogger({ service: apps.api.name, version: 'bench', level: 'info' });
const metrics = createMetrics({ service: apps.api.name, version: 'bench', commit: 'bench' });
const apiMetrics = createApiMetrics(metrics);
const db = createPgClient({ connectionString: databaseUrl, logger });
const cache = createRedisCache({ url: redisUrl, ttlSeconds: 3600, logger, errors: apiMetrics.cacheErrors });
const repository = createNotesRepository(db, { maxNotesPerOwner: 10_000 });

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-dns-prefetch-control': 'off',
  'x-permitted-cross-domain-policies': 'none',
};

const app = Fastify({
  loggerInstance: logger,
  disableRequestLogging: true,
  keepAliveTimeout: http.keepAlive.serverKeepAliveTimeoutMs,
  genReqId: (req) => {
    const id = req.headers[http.requestIdHeader];
    return typeof id === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? id : randomUUID();
  },
});
app.addHook('onRequest', async (request, reply) => {
  reply.headers(securityHeaders);
  reply.header(http.requestIdHeader, request.id);
});
app.addHook('onResponse', async (request, reply) => {
  const route = request.routeOptions.url ?? 'unmatched';
  const seconds = reply.elapsedTime / 1000;
  metrics.observeRequest(request.method, route, reply.statusCode, seconds);
  logger.info(
    {
      requestId: request.id,
      method: request.method,
      path: request.url.split('?')[0],
      route,
      status: reply.statusCode,
      durationMs: reply.elapsedTime,
    },
    'request',
  );
});
app.get<{ Params: { id: string } }>(
  '/v1/notes/:id',
  { schema: { params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] } } },
  async (request, reply) => {
    const owner = request.headers[http.identityHeader];
    if (typeof owner !== 'string') return reply.code(401).send({ title: 'Unauthorized' });
    const key = noteCacheKey(owner, request.params.id);
    const cached = await cache.get(key);
    if (cached) {
      apiMetrics.cacheHit();
      return reply.type('application/json').send(cached);
    }
    apiMetrics.cacheMiss();
    const note = await repository.get(owner, request.params.id);
    if (!note) return reply.code(404).send({ title: 'Not Found' });
    const bytes = Buffer.from(JSON.stringify(note));
    await cache.set(key, bytes);
    return reply.type('application/json').send(bytes);
  },
);
app.get(http.paths.metrics, async (_request, reply) =>
  reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
);
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.send?.('ready');
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => Promise.all([db.close(), cache.close()]))
      .then(() => process.exit(0)),
);
