import { withTimeout } from '@homelab/service-kit';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { NoteCache } from './note-cache.ts';

export interface RedisCacheOptions {
  readonly url: string;
  readonly ttlSeconds: number;
  readonly logger: Logger;
  /** `cache_errors_total{operation}`: every failed cache call, which the caller answered from PostgreSQL. */
  readonly errors: Counter<'operation'>;
  /** Per-command timeout. Default 100 ms: a cache slower than the database is worse than none. */
  readonly commandTimeoutMs?: number;
}

/**
 * Redis cache-aside. With the offline queue off and a short command timeout, a dead Redis fails each call at
 * once (no queue piling up behind a reconnect); reconnects continue in the background with capped backoff, so the
 * cache comes back by itself. Failures are counted and logged at most once per 10 s.
 */
export function createRedisCache({
  url,
  ttlSeconds,
  logger,
  errors,
  commandTimeoutMs = 100,
}: RedisCacheOptions): NoteCache {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    lazyConnect: false,
    // Commands issued in the same event-loop turn go out in one write: under load that replaces one socket
    // write per request with one per turn, and socket writes were the largest single cost of a cache hit.
    enableAutoPipelining: true,
  });
  // Our own command timeout instead of ioredis' `commandTimeout`, which arms a timer and later `delete`s it from
  // every Command object (a dictionary-mode deopt); that cost a third of a cache hit in the benchmark. One shared
  // error object: no stack captured per timeout.
  const timedOut = new Error(`Redis command timed out after ${commandTimeoutMs} ms`);
  const bounded = <T>(command: Promise<T>): Promise<T> => withTimeout(command, commandTimeoutMs, timedOut);
  let lastLog = 0;
  const failed = (operation: 'get' | 'set' | 'delete' | 'connection', error: unknown) => {
    errors.labels(operation).inc();
    const now = Date.now();
    if (now - lastLog > 10_000) {
      lastLog = now;
      logger.warn({ err: error, operation }, 'Redis cache unavailable: answering from PostgreSQL');
    }
  };
  // ioredis emits 'error' on every failed reconnect; without a listener that is an unhandled error event.
  redis.on('error', (error) => failed('connection', error));
  return {
    kind: 'redis',
    async get(key) {
      try {
        return (await bounded(redis.getBuffer(key))) ?? undefined;
      } catch (error) {
        failed('get', error);
        return undefined;
      }
    },
    async set(key, value) {
      try {
        await bounded(redis.set(key, value, 'EX', ttlSeconds));
      } catch (error) {
        failed('set', error);
      }
    },
    async delete(key) {
      try {
        await bounded(redis.del(key));
      } catch (error) {
        failed('delete', error);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
