/**
 * A read cache of serialized notes. Values are the exact response bytes, so a hit is returned without a JSON
 * parse and re-serialize. Implementations never throw: a broken cache is a miss, counted and logged by them.
 */
export interface NoteCache {
  get(key: string): Promise<Buffer | undefined>;
  set(key: string, value: Buffer): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
  readonly kind: string;
}

/**
 * Keys include the owner, so another user's id never hits someone else's entry: the request falls through to the
 * database query, which filters by owner and answers 404.
 */
export const noteCacheKey = (owner: string, id: string): string => `note:${owner}:${id}`;
