import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from './notes/cursor.ts';
import { buildTestApp, userHeaders } from './testing/test-app.ts';

/** The issue-9 findings that reached a 500: each must be a 400 problem naming what was wrong. */
describe('hostile input is a 400, never a 500', () => {
  let t: Awaited<ReturnType<typeof buildTestApp>>;
  let noteId: string;
  const json = { 'content-type': 'application/json' };
  const send = async (method: string, path: string, body?: unknown) =>
    t.app.request(path, {
      method,
      headers: await userHeaders('hostile', json),
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const expectProblem = async (res: Response, status: number, path?: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as { errors?: { path: string }[] };
    if (path) expect(problem.errors?.map((e) => e.path)).toContain(path);
  };

  beforeAll(async () => {
    t = await buildTestApp({});
    const res = await send('POST', '/v1/notes', { title: 'target' });
    noteId = ((await res.json()) as { id: string }).id;
  });
  afterAll(async () => t?.close());

  const controls = ['\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\u009b'];
  const surrogates = ['"\\ud800"', '"x\\udfffy"'];

  it.each(controls)('refuses control character %j in title and body, on create and update', async (ch) => {
    for (const field of ['title', 'body'] as const) {
      const value = `a${ch}b`;
      await expectProblem(await send('POST', '/v1/notes', { title: 't', [field]: value }), 400, field);
      await expectProblem(await send('PATCH', `/v1/notes/${noteId}`, { [field]: value }), 400, field);
    }
  });

  it.each(surrogates)('refuses the lone surrogate %s in title and body', async (escaped) => {
    for (const field of ['title', 'body'] as const) {
      const other = field === 'title' ? '"body":""' : '"title":"t"';
      await expectProblem(await send('POST', '/v1/notes', `{"${field}":${escaped},${other}}`), 400, field);
      await expectProblem(await send('PATCH', `/v1/notes/${noteId}`, `{"${field}":${escaped}}`), 400, field);
    }
  });

  it('keeps tab, newline and carriage return, and the characters people write', async () => {
    const body = 'line one\r\nline two\tindented — ünïcødé 😀';
    const res = await send('POST', '/v1/notes', { title: 'fine', body });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { body: string }).body).toBe(body);
  });

  const id = '0b7e2b5e-7f0a-4c1e-9a53-2b1f5c2d9e10';
  const forged = (createdAt: string) => Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
  it.each([
    '2020-02-30T00:00:00.000Z',
    '2021-04-31T00:00:00.000Z',
    '0000-01-01T00:00:00.000Z',
    '2020-13-01T00:00:00.000Z',
    '2020-01-01T24:00:00.000Z',
    '2020-02-30T00:00:00Z',
    '+010000-01-01T00:00:00.000Z',
  ])('refuses a cursor that decodes to the impossible timestamp %s', async (createdAt) => {
    await expectProblem(await send('GET', `/v1/notes?cursor=${forged(createdAt)}`), 400);
  });

  it('refuses a cursor re-encoded differently from the one issued, and accepts the issued one', async () => {
    const issued = encodeCursor({ createdAt: '2020-02-29T00:00:00.000Z', id });
    expect((await send('GET', `/v1/notes?cursor=${issued}`)).status).toBe(200);
    const padded = Buffer.from(JSON.stringify(['2020-02-29T00:00:00.000Z', id])).toString('base64');
    await expectProblem(await send('GET', `/v1/notes?cursor=${encodeURIComponent(`${padded}==`)}`), 400);
    const spaced = Buffer.from(JSON.stringify(['2020-02-29T00:00:00.000Z', id], null, 1)).toString('base64url');
    await expectProblem(await send('GET', `/v1/notes?cursor=${spaced}`), 400);
  });
});
