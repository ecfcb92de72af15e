import { http } from '@homelab/platform';
import { createIdentityVerifier } from '@homelab/service-kit';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { noteCacheKey } from '../../src/cache/note-cache.ts';
import { uuidPattern } from '../../src/routes/notes.ts';
import { testIdentitySecret } from '../../src/testing/identity.ts';

/**
 * Diagnostic row: Hono on @hono/node-server doing only what the ceiling does (identity token through the same
 * verifier, UUID check, the Redis read; no service kit, logs or metrics), to separate the framework's own cost from the service kit's. argv: port, redis url.
 */
const [port = '0', redisUrl = ''] = process.argv.slice(2);
const redis = new Redis(redisUrl, { enableOfflineQueue: true, enableAutoPipelining: true });
const app = new Hono();
const headers = { 'content-type': 'application/json' };
const verify = createIdentityVerifier({ secret: testIdentitySecret });
app.get('/v1/notes/:id', async (c) => {
  const owner = await verify(c.req.header(http.identityHeader));
  if (owner === undefined) return c.body(null, 401);
  const id = c.req.param('id');
  if (!uuidPattern.test(id)) return c.body(null, 400);
  const bytes = await redis.getBuffer(noteCacheKey(owner, id));
  return bytes ? c.body(bytes as Uint8Array<ArrayBuffer>, 200, headers) : c.notFound();
});
serve({ fetch: app.fetch, port: Number(port), hostname: '127.0.0.1' }, () => process.send?.('ready'));
process.on('SIGTERM', () => process.exit(0));
