import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { noteCacheKey } from '../../src/cache/note-cache.ts';

/**
 * Diagnostic row: Hono on @hono/node-server doing only the Redis read (no service kit, no validation, logs or
 * metrics), to separate the framework's own cost from the service kit's. argv: port, redis url.
 */
const [port = '0', redisUrl = ''] = process.argv.slice(2);
const redis = new Redis(redisUrl, { enableOfflineQueue: true, enableAutoPipelining: true });
const app = new Hono();
const headers = { 'content-type': 'application/json' };
app.get('/v1/notes/:id', async (c) => {
  const bytes = await redis.getBuffer(noteCacheKey(c.req.header('x-homelab-user') ?? '', c.req.param('id')));
  return bytes ? c.body(bytes as Uint8Array<ArrayBuffer>, 200, headers) : c.notFound();
});
serve({ fetch: app.fetch, port: Number(port), hostname: '127.0.0.1' }, () => process.send?.('ready'));
process.on('SIGTERM', () => process.exit(0));
