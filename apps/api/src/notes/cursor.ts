import type { Cursor } from './notes-repository.ts';

/** Opaque to clients (base64url JSON), so the keyset columns can change without breaking them. */
export const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True only for a timestamp exactly as `Date.prototype.toISOString()` writes it (what the repository puts in a
 * cursor) with a year from 0001 to 9999. A shape check alone let `2020-02-30T00:00:00Z`, April 31 and year 0000
 * through to the query, where PostgreSQL refused them with a 500: `Date` rolls impossible days over instead of
 * failing, so the round trip is what catches them.
 */
const isIssuedTimestamp = (text: string): boolean => {
  const date = new Date(text);
  // Four-digit years only: toISOString() writes years past 9999 as "+010000-..." (found by the property suite),
  // which PostgreSQL refuses as a timestamp input.
  return (
    /^\d{4}-/.test(text) && !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.toISOString() === text
  );
};

/**
 * Undefined unless `encodeCursor` would have produced exactly this text: a cursor is untrusted input, and anything
 * else (tampered, truncated, re-encoded, an impossible date) answers 400 instead of reaching the database.
 */
export function decodeCursor(text: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [createdAt, id] = value as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string' || !uuid.test(id)) return undefined;
    if (!isIssuedTimestamp(createdAt)) return undefined;
    const cursor = { createdAt, id };
    return encodeCursor(cursor) === text ? cursor : undefined;
  } catch {
    return undefined;
  }
}
