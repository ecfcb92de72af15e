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
});
