import { http } from '@homelab/platform';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, userHeaders } from './testing/test-app.ts';

/**
 * Thousands of random bodies, paths, query strings and headers through the real app (PGlite + in-memory cache):
 * never a 5xx, and every 4xx is application/problem+json.
 */
describe('bad input never breaks the API', () => {
  let t: Awaited<ReturnType<typeof buildTestApp>>;
  let noteId: string;
  let user: Record<string, string>;
  const adminToken = 'fuzz-admin-token-0123456789';

  beforeAll(async () => {
    t = await buildTestApp({ faults: { enabled: true, adminToken } });
    user = await userHeaders('fuzzer');
    const res = await t.app.request('/v1/notes', {
      method: 'POST',
      headers: { ...user, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'target' }),
    });
    noteId = ((await res.json()) as { id: string }).id;
  });
  afterAll(async () => t?.close());

  const check = async (res: Response, what: string) => {
    expect(res.status, what).toBeLessThan(500);
    if (res.status >= 400) expect(res.headers.get('content-type'), what).toBe('application/problem+json');
    await res.arrayBuffer();
  };

  const jsonishBody = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record(
        { title: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), body: fc.oneof(fc.string(), fc.boolean()) },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
    fc.dictionary(fc.string(), fc.jsonValue()).map((v) => JSON.stringify({ title: 't', ...v })),
    fc.string(),
    fc.string({ unit: 'binary' }),
  );

  it('random bodies to create and patch', async () => {
    await fc.assert(
      fc.asyncProperty(
        jsonishBody,
        fc.constantFrom('POST', 'PATCH', 'PUT'),
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', ''),
        async (body, method, contentType) => {
          const path = method === 'POST' ? '/v1/notes' : `/v1/notes/${noteId}`;
          const headers: Record<string, string> = { ...user };
          if (contentType) headers['content-type'] = contentType;
          await check(await t.app.request(path, { method, headers, body }), `${method} ${path} ${body}`);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('random paths and methods', async () => {
    const segment = fc.oneof(
      fc.webSegment(),
      fc.string().map(encodeURIComponent),
      fc.uuid(),
      fc.constantFrom('v1', 'notes', 'admin', 'faults', '..', '%', '%zz'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { maxLength: 5 }),
        fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS'),
        fc.boolean(),
        async (segments, method, prefix) => {
          const path = `/${prefix ? 'v1/notes/' : ''}${segments.join('/')}`;
          await check(await t.app.request(`http://localhost${path}`, { method, headers: user }), `${method} ${path}`);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('random query strings on the list route', async () => {
    const key = fc.oneof(fc.constantFrom('limit', 'cursor', 'sort'), fc.string({ maxLength: 8 }));
    const value = fc.oneof(fc.string(), fc.integer().map(String), fc.double().map(String), fc.base64String());
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 4 }), async (pairs) => {
        const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        await check(await t.app.request(`/v1/notes?${query}`, { headers: user }), query);
      }),
      { numRuns: 1000 },
    );
  });

  it('random headers, identities, request ids, traceparents and admin tokens', async () => {
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 200,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.option(printable),
        printable,
        printable,
        printable,
        fc.constantFrom('/v1/notes', `/v1/notes/${'x'}`, '/admin/faults', '/readyz', '/metrics'),
        async (identity, requestId, traceparent, authorization, base) => {
          const headers: Record<string, string> = {
            'x-request-id': requestId,
            traceparent,
            authorization,
            'if-match': requestId,
          };
          if (identity !== null) headers[http.identityHeader] = identity;
          const path = base.endsWith('x') ? `/v1/notes/${noteId}` : base;
          await check(await t.app.request(path, { headers }), `${path} ${JSON.stringify(headers)}`);
        },
      ),
      { numRuns: 1000 },
    );
  });

  /** Characters the text contract refuses: C0 (but tab, LF, CR), DEL, C1, and lone surrogates. */
  const refused = fc
    .oneof(
      fc.integer({ min: 0, max: 0x1f }).filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d),
      fc.integer({ min: 0x7f, max: 0x9f }),
      fc.integer({ min: 0xd800, max: 0xdfff }),
    )
    .map((c) => String.fromCharCode(c));
  const withRefused = fc
    .tuple(fc.string({ maxLength: 40 }), refused, fc.string({ maxLength: 40 }))
    .map(([a, ch, b]) => `x${a}${ch}${b}`);

  it('refuses control characters and lone surrogates in every text field, on create and update (400 naming it)', async () => {
    await fc.assert(
      fc.asyncProperty(withRefused, fc.constantFrom('title', 'body'), fc.boolean(), async (value, field, create) => {
        const body = create ? { title: 't', [field]: value } : { [field]: value };
        const res = await t.app.request(create ? '/v1/notes' : `/v1/notes/${noteId}`, {
          method: create ? 'POST' : 'PATCH',
          headers: { ...user, 'content-type': 'application/json', 'if-match': '*' },
          body: JSON.stringify(body),
        });
        expect(res.status, JSON.stringify(value)).toBe(400);
        const problem = (await res.json()) as { errors?: { path: string }[] };
        expect(problem.errors?.map((e) => e.path)).toContain(field);
      }),
      { numRuns: 600 },
    );
  });

  it('answers any decodable cursor with 200 only when it is one the API could have issued, else 400', async () => {
    const timestamp = fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc
        .tuple(
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 32 }),
          fc.integer({ min: 0, max: 25 }),
          fc.boolean(),
        )
        .map(([y, m, d, h, ms]) => {
          const p = (n: number, w = 2) => String(n).padStart(w, '0');
          return `${p(y, 4)}-${p(m)}-${p(d)}T${p(h)}:00:00${ms ? '.000' : ''}Z`;
        }),
      fc.string(),
    );
    const id = fc.oneof(fc.uuid(), fc.string());
    const shape = fc.oneof(
      fc.tuple(timestamp, id).map((pair) => JSON.stringify(pair)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(shape, async (text) => {
        const cursor = Buffer.from(text).toString('base64url');
        const res = await t.app.request(`/v1/notes?cursor=${cursor}`, { headers: user });
        const parsed: unknown = JSON.parse(text);
        const createdAt = Array.isArray(parsed) ? parsed[0] : undefined;
        const issuable =
          typeof createdAt === 'string' &&
          /^\d{4}-/.test(createdAt) &&
          !Number.isNaN(Date.parse(createdAt)) &&
          new Date(createdAt).toISOString() === createdAt &&
          new Date(createdAt).getUTCFullYear() >= 1;
        if (res.status === 200) expect(issuable, text).toBe(true);
        else expect(res.status, text).toBe(400);
        await res.arrayBuffer();
      }),
      { numRuns: 1000 },
    );
  });

  it('answers truncated and endless bodies with a 4xx problem, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 60 }),
        fc.constantFrom('truncated', 'endless'),
        fc.constantFrom('POST', 'PATCH'),
        async (prefix, kind, method) => {
          const encoder = new TextEncoder();
          let sent = 0;
          const body = new ReadableStream<Uint8Array>({
            pull(controller) {
              if (sent === 0) controller.enqueue(encoder.encode(`{"title":"${prefix}`));
              else if (kind === 'truncated') controller.error(new Error('connection reset by the client'));
              else controller.enqueue(new Uint8Array(8192).fill(0x20));
              sent += 1;
            },
          });
          const res = await t.app.request(method === 'POST' ? '/v1/notes' : `/v1/notes/${noteId}`, {
            method,
            headers: { ...user, 'content-type': 'application/json', 'if-match': '*' },
            body,
            duplex: 'half',
          } as RequestInit);
          expect(res.status, `${kind} ${prefix}`).toBe(kind === 'endless' ? 413 : 400);
          expect(res.headers.get('content-type')).toBe('application/problem+json');
          await res.arrayBuffer();
        },
      ),
      { numRuns: 200 },
    );
  });
});
