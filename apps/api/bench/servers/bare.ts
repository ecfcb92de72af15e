import { createServer } from 'node:http';
import { http } from '@homelab/platform';
import { createIdentityVerifier } from '@homelab/service-kit';
import { Redis } from 'ioredis';
import { noteCacheKey } from '../../src/cache/note-cache.ts';
import { uuidPattern } from '../../src/routes/notes.ts';
import { testIdentitySecret } from '../../src/testing/identity.ts';

/**
 * The ceiling: plain node:http doing what the API must do on a cache hit and nothing else: verify the gateway's
 * HS256 identity token with the same verifier (jose, algorithm pinned, verified tokens remembered; ADR 0071),
 * check the id is a UUID, read the same Redis key with the same client settings and return the same bytes. No
 * framework, logging, metrics, trace context or security headers. argv: port, redis url.
 */
const [port = '0', redisUrl = ''] = process.argv.slice(2);
// The same client settings as the API's cache (auto-pipelining on), so the ceiling does the same Redis read.
const redis = new Redis(redisUrl, { enableOfflineQueue: true, enableAutoPipelining: true });
const verify = createIdentityVerifier({ secret: testIdentitySecret });
const prefix = '/v1/notes/';
const json = { 'content-type': 'application/json' };

const server = createServer(async (req, res) => {
  const token = req.headers[http.identityHeader];
  const owner = await verify(typeof token === 'string' ? token : undefined);
  if (owner === undefined) {
    res.writeHead(401).end();
    return;
  }
  const id = req.url?.startsWith(prefix) ? req.url.slice(prefix.length) : '';
  if (!uuidPattern.test(id)) {
    res.writeHead(400).end();
    return;
  }
  const bytes = await redis.getBuffer(noteCacheKey(owner, id));
  if (!bytes) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { ...json, 'content-length': bytes.length }).end(bytes);
});
server.keepAliveTimeout = http.keepAlive.serverKeepAliveTimeoutMs;
server.listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
  server.closeAllConnections();
});
