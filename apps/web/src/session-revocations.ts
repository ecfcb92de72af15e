import type { Redis } from 'ioredis';

/**
 * Sessions ended before their cookie expires (sign-out). The cookie stays stateless and signed; this is the one
 * server-side fact about it, kept only as long as the cookie could still be presented.
 */
export interface SessionRevocations {
  /** Refuses the session from now on, for `ttlSeconds` (what is left of its lifetime). */
  revoke(sessionId: string, ttlSeconds: number): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
}

export interface MemoryRevocationsOptions {
  /** Default `Date.now`. */
  readonly now?: () => number;
}

/** One replica's revocations (local runs, and every replica's own memory in front of Redis). */
export function createMemoryRevocations({ now = Date.now }: MemoryRevocationsOptions = {}) {
  const until = new Map<string, number>();
  const prune = (at: number) => {
    for (const [id, expiresAt] of until) if (expiresAt <= at) until.delete(id);
  };
  return {
    async revoke(sessionId: string, ttlSeconds: number) {
      const at = now();
      prune(at);
      until.set(sessionId, at + ttlSeconds * 1000);
    },
    async isRevoked(sessionId: string) {
      const expiresAt = until.get(sessionId);
      if (expiresAt === undefined) return false;
      if (expiresAt > now()) return true;
      until.delete(sessionId);
      return false;
    },
    /** Revocations held (tests: expired ones are forgotten). */
    size: () => {
      prune(now());
      return until.size;
    },
  } satisfies SessionRevocations & { size(): number };
}

export interface RedisRevocationsOptions {
  /** Key prefix. Default `homelab:web:revoked:`. */
  readonly prefix?: string;
  /** Told when Redis cannot be reached (for the log). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Revocations shared by every web replica: `SET <prefix><id> 1 EX <ttl>`, so Redis forgets each one when the
 * session would have expired anyway. This replica's memory answers first and keeps its own sign-outs while Redis
 * is away; another replica then cannot see a sign-out made during the outage (it fails open, like the sessions
 * before revocation existed, rather than signing everyone out; ADR 0121).
 */
export function createRedisRevocations(redis: Redis, options: RedisRevocationsOptions = {}): SessionRevocations {
  const prefix = options.prefix ?? 'homelab:web:revoked:';
  const local = createMemoryRevocations();
  const report = (error: unknown) => options.onError?.(error);
  return {
    async revoke(sessionId, ttlSeconds) {
      await local.revoke(sessionId, ttlSeconds);
      await redis.set(prefix + sessionId, '1', 'EX', Math.max(1, Math.ceil(ttlSeconds))).catch(report);
    },
    async isRevoked(sessionId) {
      if (await local.isRevoked(sessionId)) return true;
      return redis.exists(prefix + sessionId).then(
        (count) => count > 0,
        (error: unknown) => {
          report(error);
          return false;
        },
      );
    },
  };
}
