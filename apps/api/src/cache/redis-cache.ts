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
  /**
   * How long Redis may stay silent while commands wait for it before the connection is dropped (the waiting
   * commands then fail and are answered from PostgreSQL; ioredis reconnects in the background). Default 100 ms:
   * a cache slower than the database is worse than none.
   */
  readonly stallTimeoutMs?: number;
}

/**
 * Redis cache-aside. With the offline queue off, a disconnected Redis fails each call at once (no queue piling
 * up behind a reconnect); a connected one that stops answering is dropped after `stallTimeoutMs`; reconnects
 * continue in the background with capped backoff, so the cache comes back by itself. Failures are counted and
 * logged at most once per 10 s.
 */
export function createRedisCache({
  url,
  ttlSeconds,
  logger,
  errors,
  stallTimeoutMs = 100,
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
    // A stall detector per connection, not a timer per command: ioredis arms one timer while replies are due and
    // re-arms it on each chunk of data, destroying the socket when Redis goes silent for this long. A timer and a
    // promise per command (ours, or ioredis' `commandTimeout`, which also deletes a property from every Command:
    // a dictionary-mode deopt) were a visible share of a cache hit. A slow but answering Redis is bounded by the
    // request timeout instead.
    socketTimeout: stallTimeoutMs,
  });
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
    get(key) {
      return redis.getBuffer(key).then(
        (value) => value ?? undefined,
        (error: unknown) => {
          failed('get', error);
          return undefined;
        },
      );
    },
    async set(key, value) {
      try {
        await redis.set(key, value, 'EX', ttlSeconds);
      } catch (error) {
        failed('set', error);
      }
    },
    async delete(key) {
      try {
        await redis.del(key);
      } catch (error) {
        failed('delete', error);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
