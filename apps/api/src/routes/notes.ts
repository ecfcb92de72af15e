import { randomUUID } from 'node:crypto';
import { createNote, deleteNote, listNotes, notesOpenApiDocument, patchNote } from '@homelab/notes-contract';
import { http } from '@homelab/platform';
import { ProblemError, problem } from '@homelab/service-kit';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiMetrics } from '../api-metrics.ts';
import { type NoteCache, noteCacheKey } from '../cache/note-cache.ts';
import { decodeCursor, encodeCursor } from '../notes/cursor.ts';
import { identity, ownerOf, unauthorized, type VerifyIdentity } from '../notes/identity.ts';
import { type NotesRepository, QuotaExceededError } from '../notes/notes-repository.ts';
import { withDatabase } from '../storage/database-errors.ts';

export interface NotesRoutesDeps {
  readonly repository: NotesRepository;
  readonly cache: NoteCache;
  readonly apiMetrics: ApiMetrics;
  /** Checks the gateway's identity token. */
  readonly verifyIdentity: VerifyIdentity;
  /** Default `() => new Date()`. */
  readonly now?: () => Date;
}

const json = 'application/json';
const jsonHeaders = { 'content-type': json };
/** The same check as zod's `z.uuid()` (RFC 9562 variants, plus the nil and max UUIDs); the benchmark's servers reuse it. */
export const uuidPattern =
  /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

/**
 * Invalid input answers a 400 problem listing each issue by path. Issue messages are zod's, never the input
 * value, so nothing the client sent is echoed into logs or responses.
 */
const validationHook = (
  result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } },
  c: Parameters<typeof problem>[0],
) => {
  if (result.success) return;
  return problem(c, 400, 'Bad Request', 'the request does not match the API schema', {
    errors: (result.error?.issues ?? []).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
};

/**
 * The version a PATCH expects, from If-Match: a note version (`"3"`), or `*` for "whatever the current version is"
 * (RFC 9110 §13.1.1), which a client must say explicitly. Missing: 428 (RFC 6585), so no client can lose another's
 * update by forgetting the header.
 */
const parseIfMatch = (header: string | undefined): number | undefined => {
  if (header === undefined) {
    throw new ProblemError(428, 'Precondition Required', 'send If-Match: "<version>" (or * to overwrite any version)');
  }
  if (header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match) throw new ProblemError(400, 'Bad Request', 'If-Match must be a note version, e.g. "3"');
  return Number(match[1]);
};

/** `/v1/notes` and `/openapi.json`. Reads by id go through the cache; every write invalidates it. */
export function notesRoutes({
  repository,
  cache,
  apiMetrics,
  verifyIdentity,
  now = () => new Date(),
}: NotesRoutesDeps) {
  const routes = new OpenAPIHono({ defaultHook: validationHook });

  // The hottest route is registered on the plain router and only documented in the contract (packages/notes-contract): the
  // generated validator middleware cost more per request than the rest of the cache-hit path. The checks are the
  // same (the identity, then a UUID id, else the 401 and 400 problems the middleware and schema would give). It is
  // registered before the `/v1/*` identity middleware and checks the identity itself: it answers before that
  // middleware would run, which saves a middleware level per cache hit.
  routes.get('/v1/notes/:id', async (c) => {
    const owner = await ownerOf(c, verifyIdentity);
    if (owner === undefined) return unauthorized(c);
    const id = c.req.param('id');
    if (!uuidPattern.test(id)) {
      return problem(c, 400, 'Bad Request', 'the request does not match the API schema', {
        errors: [{ path: 'id', message: 'Invalid UUID' }],
      });
    }
    const key = noteCacheKey(owner, id);
    const cached = await cache.get(key);
    if (cached !== undefined) {
      apiMetrics.cacheHit();
      // The stored bytes are the response: no parse, no re-serialize.
      return c.body(cached as Uint8Array<ArrayBuffer>, 200, jsonHeaders);
    }
    apiMetrics.cacheMiss();
    const note = await withDatabase(() => repository.get(owner, id));
    if (!note) return problem(c, 404, 'Not Found', 'no such note');
    const bytes = Buffer.from(JSON.stringify(note));
    await cache.set(key, bytes);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, jsonHeaders);
  });

  routes.use('/v1/*', identity(verifyIdentity));

  routes.openapi(listNotes, async (c) => {
    const { cursor, limit } = c.req.valid('query');
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && after === undefined) {
      return problem(c, 400, 'Bad Request', 'the cursor is not one this API issued') as never;
    }
    const page = await withDatabase(() => repository.list(c.get('owner'), limit, after));
    return c.json({ notes: page.notes, nextCursor: page.next ? encodeCursor(page.next) : null }, 200);
  });

  routes.openapi(createNote, async (c) => {
    const input = c.req.valid('json');
    const id = randomUUID();
    try {
      const note = await withDatabase(() => repository.create(c.get('owner'), id, input, now()));
      c.header('location', `/v1/notes/${note.id}`);
      return c.json(note, 201);
    } catch (error) {
      if (error instanceof QuotaExceededError) return problem(c, 409, 'Conflict', 'note quota reached') as never;
      throw error;
    }
  });

  routes.openapi(patchNote, async (c) => {
    const owner = c.get('owner');
    const { id } = c.req.valid('param');
    const expected = parseIfMatch(c.req.header('if-match'));
    const result = await withDatabase(() => repository.update(owner, id, c.req.valid('json'), now(), expected));
    // Invalidate after the write committed; a reader can only refill it with the new row (or an old one for at
    // most the TTL if it read before the commit: see ADR 0012).
    await cache.delete(noteCacheKey(owner, id));
    if (result === 'missing') return problem(c, 404, 'Not Found', 'no such note') as never;
    if (result === 'conflict') return problem(c, 412, 'Precondition Failed', 'the note has a newer version') as never;
    return c.json(result, 200);
  });

  routes.openapi(deleteNote, async (c) => {
    const owner = c.get('owner');
    const { id } = c.req.valid('param');
    const deleted = await withDatabase(() => repository.delete(owner, id));
    await cache.delete(noteCacheKey(owner, id));
    if (!deleted) return problem(c, 404, 'Not Found', 'no such note') as never;
    return c.body(null, 204);
  });

  // A method the contract does not list on a known path: 405 with Allow (RFC 9110 §15.5.6), not 404.
  const methodNotAllowed = (allow: string) => (c: Parameters<typeof problem>[0]) => {
    c.header('allow', allow);
    return problem(c, 405, 'Method Not Allowed', `allowed: ${allow}`);
  };
  routes.all('/v1/notes', methodNotAllowed('GET, HEAD, POST'));
  routes.all('/v1/notes/:id', methodNotAllowed('GET, HEAD, PATCH, DELETE'));

  const document = notesOpenApiDocument('api');
  routes.get(http.paths.openapi, (c) => c.json(document));
  return routes;
}
