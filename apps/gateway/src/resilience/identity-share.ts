export interface IdentityShareOptions {
  /** Tumbling window per identity. */
  readonly windowMs: number;
  /** Failures of one identity that count in a window. */
  readonly maxFailures: number;
  /** Default `Date.now`. */
  readonly now?: () => number;
}

/** Identities tracked at once; a full table is dropped whole (bounded memory under an identity flood). */
const maxTracked = 10_000;

/**
 * Caps what one identity can contribute to a breaker's failure count: `counts(identity)` is true for its first
 * `maxFailures` failures in a window and false after, so no single caller (even one that found a request the API
 * answers with a 500) can move the breaker's ratio on its own.
 */
export function createIdentityShare(options: IdentityShareOptions): { counts(identity: string): boolean } {
  const now = options.now ?? Date.now;
  const failures = new Map<string, { since: number; count: number }>();
  return {
    counts(identity) {
      const at = now();
      let entry = failures.get(identity);
      if (entry === undefined || at - entry.since >= options.windowMs) {
        if (entry === undefined && failures.size >= maxTracked) failures.clear();
        entry = { since: at, count: 0 };
        failures.set(identity, entry);
      }
      entry.count += 1;
      return entry.count <= options.maxFailures;
    },
  };
}
