import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { noteCacheKey } from '../../src/cache/note-cache.ts';

/**
 * The ceiling: plain node:http doing the same Redis read and returning the same bytes, with no framework,
 * validation, logging or metrics. argv: port, redis url.
 */
const [port = '0', redisUrl = ''] = process.argv.slice(2);
// The same client settings as the API's cache (auto-pipelining on), so the ceiling does the same Redis read.
const redis = new Redis(redisUrl, { enableOfflineQueue: true, enableAutoPipelining: true });
const prefix = '/v1/notes/';
const server = createServer(async (req, res) => {
  const owner = req.headers['x-homelab-user'];
  if (typeof owner !== 'string' || !req.url?.startsWith(prefix)) {
    res.writeHead(404).end();
    return;
  }
  const bytes = await redis.getBuffer(noteCacheKey(owner, req.url.slice(prefix.length)));
  if (!bytes) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length }).end(bytes);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
  server.closeAllConnections();
});
