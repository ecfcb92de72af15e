import { http, identityToken } from '@homelab/platform';
import { createDatabase, realServersRequired } from '@homelab/test-servers';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildTestApp, userHeaders } from './testing/test-app.ts';

/** A token like the gateway's, signed with another key. */
const signWith = (key: string, sub: string) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(identityToken.issuer)
    .setAudience(identityToken.audience)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(new TextEncoder().encode(key));
/** An `alg: none` token. */
const unsigned = (sub: string) =>
  new UnsecuredJWT({})
    .setIssuer(identityToken.issuer)
    .setAudience(identityToken.audience)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1m')
    .encode();

const postgresServerUrl = inject('postgresServerUrl');
const redisUrl = inject('redisUrl');
const realAvailable = postgresServerUrl !== '' && redisUrl !== '';
if (!realAvailable && realServersRequired()) throw new Error('CI requires real PostgreSQL and Redis for the API suite');
if (!realAvailable) console.warn('[notice] real PostgreSQL/Redis unavailable: the API suite runs on PGlite only');

const backends = [
  { name: 'PGlite + in-memory cache', real: false },
  ...(realAvailable ? [{ name: 'PostgreSQL + Redis', real: true }] : []),
];

describe.each(backends)('notes API on $name', ({ real }) => {
  let t: Awaited<ReturnType<typeof buildTestApp>>;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    const databaseUrl = real ? await createDatabase(postgresServerUrl, 'api') : undefined;
    t = await buildTestApp({ databaseUrl, redisUrl: real ? redisUrl : undefined, maxNotesPerOwner: 30 });
    alice = await userHeaders(`alice-${Math.random().toString(36).slice(2)}`);
    bob = await userHeaders(`bob-${Math.random().toString(36).slice(2)}`);
  });
  afterAll(async () => t?.close());

  const create = async (user: Record<string, string>, title: string, body = '') => {
    const res = await t.app.request('/v1/notes', {
      method: 'POST',
      headers: { ...user, ...json },
      body: JSON.stringify({ title, body }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; title: string; body: string; version: number };
  };

  it('creates, reads, updates and deletes a note', async () => {
    const note = await create(alice, 'groceries', 'milk');
    const read = await t.app.request(`/v1/notes/${note.id}`, { headers: alice });
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(note);

    const patched = await t.app.request(`/v1/notes/${note.id}`, {
      method: 'PATCH',
      headers: { ...alice, ...json, 'if-match': '"1"' },
      body: JSON.stringify({ body: 'milk, eggs' }),
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ title: 'groceries', body: 'milk, eggs', version: 2 });
    // The cached copy from the first read was invalidated by the write.
    expect(await (await t.app.request(`/v1/notes/${note.id}`, { headers: alice })).json()).toMatchObject({
      body: 'milk, eggs',
    });

    expect((await t.app.request(`/v1/notes/${note.id}`, { method: 'DELETE', headers: alice })).status).toBe(204);
    expect((await t.app.request(`/v1/notes/${note.id}`, { headers: alice })).status).toBe(404);
    expect((await t.app.request(`/v1/notes/${note.id}`, { method: 'DELETE', headers: alice })).status).toBe(404);
  });

  it('serves repeated reads from the cache', async () => {
    const note = await create(alice, 'cached');
    for (let i = 0; i < 3; i++) await t.app.request(`/v1/notes/${note.id}`, { headers: alice });
    const text = await t.metrics.registry.metrics();
    const hits = Number(/cache_lookups_total\{result="hit"\} (\d+)/.exec(text)?.[1] ?? 0);
    expect(hits).toBeGreaterThanOrEqual(2);
  });

  it("answers 404 for another user's note, for reads and writes", async () => {
    const note = await create(alice, 'private');
    await t.app.request(`/v1/notes/${note.id}`, { headers: alice }); // warm the cache for alice
    expect((await t.app.request(`/v1/notes/${note.id}`, { headers: bob })).status).toBe(404);
    const patch = await t.app.request(`/v1/notes/${note.id}`, {
      method: 'PATCH',
      headers: { ...bob, ...json, 'if-match': '*' },
      body: JSON.stringify({ title: 'mine now' }),
    });
    expect(patch.status).toBe(404);
    expect((await t.app.request(`/v1/notes/${note.id}`, { method: 'DELETE', headers: bob })).status).toBe(404);
    expect(await (await t.app.request(`/v1/notes/${note.id}`, { headers: alice })).json()).toMatchObject({
      title: 'private',
    });
  });

  it('requires the gateway identity header (401 problem)', async () => {
    const res = await t.app.request('/v1/notes');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('gives no identity to a request that did not pass the gateway (issue 9: a plain header read any user)', async () => {
    const note = await create(alice, 'only mine');
    const forged: Record<string, string>[] = [
      { 'x-homelab-user': 'alice' },
      // A tampered signature: its first character (the last one can carry only padding bits of base64url, so
      // changing it may leave the signature's bytes, and the token, valid).
      {
        [http.identityHeader]:
          alice[http.identityHeader]?.replace(/\.(.)([^.]*)$/, (_, c, rest) => `.${c === 'A' ? 'B' : 'A'}${rest}`) ??
          '',
      },
      { [http.identityHeader]: 'alice' },
      { [http.identityHeader]: await signWith('an-attacker-chosen-key-0123456789abcdef', 'alice') },
      { [http.identityHeader]: unsigned('alice') },
    ];
    for (const headers of forged) {
      for (const path of ['/v1/notes', `/v1/notes/${note.id}`]) {
        const res = await t.app.request(path, { headers });
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
      }
    }
  });

  it('refuses unknown fields and bad values with 400 problems', async () => {
    for (const body of [{ title: 'x', owner: 'bob' }, { title: '' }, { title: 5 }, {}]) {
      const res = await t.app.request('/v1/notes', {
        method: 'POST',
        headers: { ...alice, ...json },
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    const note = await create(alice, 'strict');
    const patch = await t.app.request(`/v1/notes/${note.id}`, {
      method: 'PATCH',
      headers: { ...alice, ...json },
      body: JSON.stringify({ version: 9 }),
    });
    expect(patch.status).toBe(400);
    expect((await t.app.request('/v1/notes/not-a-uuid', { headers: alice })).status).toBe(400);
    expect((await t.app.request('/v1/notes?cursor=bogus', { headers: alice })).status).toBe(400);
    expect((await t.app.request('/v1/notes?sort=asc', { headers: alice })).status).toBe(400);
  });

  it('pages newest first with an opaque cursor and a capped limit', async () => {
    const carol = await userHeaders(`carol-${Math.random().toString(36).slice(2)}`);
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await create(carol, `n${i}`)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=3&cursor=${encodeURIComponent(cursor)}` : '?limit=3';
      const res = await t.app.request(`/v1/notes${query}`, { headers: carol });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { notes: { id: string; title: string }[]; nextCursor: string | null };
      expect(page.notes.length).toBeLessThanOrEqual(3);
      seen.push(...page.notes.map((n) => n.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());
    const capped = await t.app.request('/v1/notes?limit=100000', { headers: carol });
    expect(capped.status).toBe(200);
    expect(((await capped.json()) as { notes: unknown[] }).notes).toHaveLength(7);
  });

  it('refuses a PATCH whose If-Match version is stale (412)', async () => {
    const note = await create(alice, 'versioned');
    const send = (ifMatch: string) =>
      t.app.request(`/v1/notes/${note.id}`, {
        method: 'PATCH',
        headers: { ...alice, ...json, 'if-match': ifMatch },
        body: JSON.stringify({ title: `v-${ifMatch}` }),
      });
    expect((await send('"1"')).status).toBe(200);
    expect((await send('"1"')).status).toBe(412);
    expect((await send('"2"')).status).toBe(200);
    expect((await send('*')).status).toBe(200);
    const missing = await t.app.request(`/v1/notes/${note.id}`, {
      method: 'PATCH',
      headers: { ...alice, ...json },
      body: JSON.stringify({ title: 'no precondition' }),
    });
    expect(missing.status).toBe(428);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });

  it('holds the per-user quota exactly under concurrent creates (transaction)', async () => {
    const dave = await userHeaders(`dave-${Math.random().toString(36).slice(2)}`);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.app.request('/v1/notes', {
          method: 'POST',
          headers: { ...dave, ...json },
          body: JSON.stringify({ title: `q${i}` }),
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(30);
    expect(results.filter((r) => r.status === 409)).toHaveLength(10);
    const list = await t.app.request('/v1/notes?limit=100', { headers: dave });
    expect(((await list.json()) as { notes: unknown[] }).notes).toHaveLength(30);
  });

  it('publishes an OpenAPI document generated from the schemas', async () => {
    const res = await t.app.request(http.paths.openapi);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/notes', '/v1/notes/{id}']));
    expect(Object.keys(doc.paths['/v1/notes/{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    expect(doc.components.schemas).toHaveProperty('CreateNote');
  });

  it('is ready while the database answers', async () => {
    expect((await t.app.request(http.paths.readiness)).status).toBe(200);
  });
});
