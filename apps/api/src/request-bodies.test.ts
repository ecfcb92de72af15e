import { http } from '@homelab/platform';
import { type RunningServer, serve } from '@homelab/service-kit';
import { rawRequest } from '@homelab/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signTestIdentity } from './testing/test-app.ts';

/**
 * The gateway's body property holds for the API too (issue 9): no identity is answered before the body is read,
 * and a body that never ends, stops short or trickles is the client's 4xx, not a 504 from the request timeout.
 */
describe('request bodies at the API', () => {
  let t: Awaited<ReturnType<typeof buildTestApp>>;
  let server: RunningServer;
  let identity: string;

  beforeAll(async () => {
    t = await buildTestApp({});
    server = await serve({
      app: t.app,
      port: 0,
      host: '127.0.0.1',
      logger: t.logger,
      lifecycle: t.lifecycle,
      handleSignals: false,
      lingerMs: 0,
    });
    identity = `${http.identityHeader}: ${await signTestIdentity('body-tester')}`;
  });
  afterAll(async () => server?.close());

  const head = (extra: string[]) =>
    ['POST /v1/notes HTTP/1.1', 'host: api', 'content-type: application/json', ...extra].join('\n');
  const chunked = 'transfer-encoding: chunked';

  it('answers 401 at once to an unterminated body without an identity', async () => {
    const res = await rawRequest(server.url, { head: head([chunked]), chunks: ['4\r\n{"ti\r\n'] });
    expect(res.status).toBe(401);
  });

  it('answers a body that is unterminated, short of its Content-Length, slow or endless with a 4xx', async () => {
    const results = await Promise.all([
      rawRequest(server.url, { head: head([identity, chunked]), chunks: ['4\r\n{"ti\r\n'] }),
      rawRequest(server.url, { head: head([identity, 'content-length: 100']), chunks: ['{"title":'] }),
      rawRequest(server.url, {
        head: head([identity, chunked]),
        chunks: ['1\r\n \r\n'],
        endless: true,
        intervalMs: 200,
      }),
      rawRequest(server.url, {
        head: head([identity, chunked]),
        chunks: [`1000\r\n${' '.repeat(0x1000)}\r\n`],
        endless: true,
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual([408, 408, 408, 413]);
    for (const res of results) expect(res.text).toContain('application/problem+json');
  });

  it('still takes a chunked body that ends', async () => {
    const body = '{"title":"chunked"}';
    const res = await rawRequest(server.url, {
      head: head([identity, chunked]),
      chunks: [`${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`],
    });
    expect(res.status).toBe(201);
  });
});
