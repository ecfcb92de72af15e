import { apps, http } from '@homelab/platform';
import {
  createIdentityVerifier,
  createLogger,
  createMetrics,
  type RequestTrace,
  requestTrace,
  securityHeaderValues,
} from '@homelab/service-kit';
import Fastify, { LogController } from 'fastify';
import { createApiMetrics } from '../../src/api-metrics.ts';
import { noteCacheKey } from '../../src/cache/note-cache.ts';
import { createRedisCache } from '../../src/cache/redis-cache.ts';
import { createNotesRepository } from '../../src/notes/notes-repository.ts';
import { uuidPattern } from '../../src/routes/notes.ts';
import { createPgClient } from '../../src/storage/pg-client.ts';
import { testIdentitySecret } from '../../src/testing/identity.ts';

/**
 * The same endpoint as a user would write it with Fastify: same pino logger (one access line per request, with
 * the same fields), same RED metrics, same trace context and request id, same security headers, same identity
 * check (the gateway's HS256 token through the same verifier, ADR 0071) and id check, same cache and repository.
 * argv: port, database url, redis url.
 */
const [port = '0', databaseUrl = '', redisUrl = ''] = process.argv.slice(2);
const logger = createLogger({ service: apps.api.name, version: 'bench', level: 'info' });
const metrics = createMetrics({ service: apps.api.name, version: 'bench', commit: 'bench' });
const apiMetrics = createApiMetrics(metrics);
const db = createPgClient({ connectionString: databaseUrl, logger });
const cache = createRedisCache({ url: redisUrl, ttlSeconds: 3600, logger, errors: apiMetrics.cacheErrors });
const repository = createNotesRepository(db, { maxNotesPerOwner: 10_000 });
const verifyIdentity = createIdentityVerifier({ secret: testIdentitySecret });

declare module 'fastify' {
  interface FastifyRequest {
    trace: RequestTrace;
  }
}

const app = Fastify({
  loggerInstance: logger,
  // The access line is written by the onResponse hook below, with the same fields as the service kit's.
  logController: new LogController({ disableRequestLogging: true }),
  keepAliveTimeout: http.keepAlive.serverKeepAliveTimeoutMs,
});
app.decorateRequest('trace');
app.addHook('onRequest', async (request, reply) => {
  const traceparent = request.headers.traceparent;
  const incomingId = request.headers[http.requestIdHeader];
  request.trace = requestTrace(
    typeof traceparent === 'string' ? traceparent : undefined,
    typeof incomingId === 'string' ? incomingId : undefined,
  );
  reply.headers(securityHeaderValues);
  reply.header(http.requestIdHeader, request.trace.requestId);
});
app.addHook('onResponse', async (request, reply) => {
  const route = request.routeOptions.url ?? 'unmatched';
  const seconds = reply.elapsedTime / 1000;
  metrics.observeRequest(request.method, route, reply.statusCode, seconds);
  logger.info(
    {
      requestId: request.trace.requestId,
      traceId: request.trace.traceId,
      spanId: request.trace.spanId,
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
  {
    schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: uuidPattern.source } } } },
  },
  async (request, reply) => {
    const token = request.headers[http.identityHeader];
    const owner = await verifyIdentity(typeof token === 'string' ? token : undefined);
    if (owner === undefined) return reply.code(401).send({ title: 'Unauthorized' });
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
