import type { NoteCache } from './note-cache.ts';

/**
 * In-process cache for runs without REDIS_URL: insertion-ordered Map with a TTL and an entry cap (oldest out
 * first), so memory stays bounded without a dependency.
 */
export function createMemoryCache({
  ttlSeconds,
  maxEntries = 10_000,
}: {
  ttlSeconds: number;
  maxEntries?: number;
}): NoteCache {
  const entries = new Map<string, { value: Buffer; expires: number }>();
  return {
    kind: 'memory',
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expires <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    async set(key, value) {
      entries.delete(key);
      entries.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
    },
    async delete(key) {
      entries.delete(key);
    },
    async close() {
      entries.clear();
    },
  };
}
