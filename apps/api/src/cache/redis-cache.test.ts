import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { createMetrics } from '@homelab/service-kit';
import { findBinary, freePort, realServersRequired, redisAvailable, waitForPort } from '@homelab/test-servers';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiMetrics } from '../api-metrics.ts';
import { captureLogger } from '../testing/test-app.ts';
import { createRedisCache } from './redis-cache.ts';

function buildCache(url: string, stallTimeoutMs: number) {
  const { logger, lines } = captureLogger();
  const metrics = createMetrics({ service: 'api', version: 't', commit: 't' });
  const apiMetrics = createApiMetrics(metrics);
  const cache = createRedisCache({ url, ttlSeconds: 60, logger, errors: apiMetrics.cacheErrors, stallTimeoutMs });
  const errors = async (operation: string) =>
    Number(
      new RegExp(`cache_errors_total\\{operation="${operation}"\\} (\\d+)`).exec(
        await metrics.registry.metrics(),
      )?.[1] ?? 0,
    );
  return { cache, lines, errors };
}

describe('Redis cache failure modes', () => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
  });
  afterAll(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  it('never throws when the server accepts but never answers: misses, counted, logged once', async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const { cache, lines, errors } = buildCache(`redis://127.0.0.1:${port}`, 50);
    try {
      const results = await Promise.all(Array.from({ length: 5 }, () => cache.get('note:a:b')));
      expect(results).toEqual([undefined, undefined, undefined, undefined, undefined]);
      await cache.set('note:a:b', Buffer.from('{}'));
      expect(await errors('get')).toBe(5);
      expect(await errors('set')).toBe(1);
      expect(lines.filter((l) => String(l.msg).includes('Redis cache unavailable'))).toHaveLength(1);
    } finally {
      await cache.close();
    }
  });

  const binary = findBinary('redis-server');
  if (!redisAvailable() && realServersRequired()) throw new Error('CI requires redis-server for the cache tests');
  it.skipIf(!binary)(
    'bounds a command on a connected Redis that stops answering (SIGSTOP) by the stall timeout',
    async () => {
      const port = await freePort();
      const server = spawn(binary as string, ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], {
        stdio: 'ignore',
      });
      await waitForPort(port);
      const { cache, errors } = buildCache(`redis://127.0.0.1:${port}`, 100);
      try {
        // Wait until a read is answered by Redis (a miss without an error): the connection is up.
        for (let i = 0; i < 100; i++) {
          const failures = await errors('get');
          await cache.get('note:x:y');
          if ((await errors('get')) === failures) break;
          await new Promise((r) => setTimeout(r, 30));
        }
        const before = await errors('get');
        server.kill('SIGSTOP');
        // Without the bound this call would hang (the socket stays open) and the test would time out.
        expect(await cache.get('note:x:y')).toBeUndefined();
        expect(await errors('get')).toBe(before + 1);
      } finally {
        server.kill('SIGCONT');
        server.kill('SIGKILL');
        await cache.close();
      }
    },
  );
});
