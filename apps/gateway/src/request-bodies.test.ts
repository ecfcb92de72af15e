import { http } from '@homelab/platform';
import { rawRequest } from '@homelab/test-servers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from './rate-limit/token-bucket.ts';
import { apiKey, type StubUpstream, startGateway, startStub } from './testing/test-gateway.ts';

/**
 * Issue 9: the gateway read a chunked body to its end before authenticating, so an unterminated body from a caller
 * with no credentials held the request until the request timeout and answered 504. Bodies are now read only by
 * the proxy, after authentication and the rate limit, and a bad body is the client's 4xx. Raw sockets, because
 * fetch cannot send these bodies.
 */
describe('request bodies at the gateway', () => {
  let stub: StubUpstream;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let limited: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    stub = await startStub('stable');
    const upstreams = [{ name: 'stable', url: stub.url, version: '1', weight: 100 }];
    gw = await startGateway(upstreams, { timeoutMs: 3_000 });
    limited = await startGateway(upstreams, {
      limiter: createMemoryRateLimiter({ capacity: 1, refillPerSecond: 0.01 }),
    });
  });
  afterAll(async () => {
    await gw?.server.close();
    await limited?.server.close();
    await stub?.close();
  });

  const head = (extra: string[]) =>
    ['POST /v1/notes HTTP/1.1', 'host: gateway', 'content-type: application/json', ...extra].join('\n');
  const chunked = 'transfer-encoding: chunked';
  const credentials = `x-api-key: ${apiKey}`;

  it('refuses an unterminated chunked body without credentials at once (401), never a 5xx', async () => {
    const before = stub.hits;
    const res = await rawRequest(gw.server.url, { head: head([chunked]), chunks: ['4\r\n{"ti\r\n'] });
    expect(res.status).toBe(401);
    expect(res.text).toContain('application/problem+json');
    expect(stub.hits).toBe(before);
  });

  it('rate-limits before reading the body (429)', async () => {
    await rawRequest(limited.server.url, { head: head([credentials, 'content-length: 2']), chunks: ['{}'] });
    const res = await rawRequest(limited.server.url, { head: head([credentials, chunked]), chunks: ['1\r\n{\r\n'] });
    expect(res.status).toBe(429);
    expect(res.text.toLowerCase()).toContain('retry-after:');
  });

  it('answers a body that is unterminated, short of its Content-Length, slow or endless with a 4xx', async () => {
    const [unterminated, short, slow, endless] = await Promise.all([
      rawRequest(gw.server.url, { head: head([credentials, chunked]), chunks: ['4\r\n{"ti\r\n'] }),
      rawRequest(gw.server.url, { head: head([credentials, 'content-length: 100']), chunks: ['{"title":'] }),
      rawRequest(gw.server.url, {
        head: head([credentials, chunked]),
        chunks: ['1\r\n \r\n'],
        endless: true,
        intervalMs: 200,
      }),
      rawRequest(gw.server.url, {
        head: head([credentials, chunked]),
        chunks: [`1000\r\n${'x'.repeat(0x1000)}\r\n`],
        endless: true,
      }),
    ]);
    expect(unterminated.status).toBe(408);
    expect(short.status).toBe(408);
    expect(slow.status).toBe(408);
    expect(endless.status).toBe(413);
    for (const res of [unterminated, short, slow, endless]) expect(res.text).toContain('application/problem+json');
    // The client's body is no verdict on the upstream: its breaker stays closed.
    expect(await (await fetch(`${gw.server.url}${http.paths.metrics}`)).text()).toMatch(
      /gateway_circuit_breaker_state\{upstream="stable"\} 0/,
    );
  });

  it('answers generated truncated and endless bodies with 400 or 413, never a 5xx, and never opens the breaker', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), fc.constantFrom('truncated', 'endless'), async (prefix, kind) => {
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent === 0) controller.enqueue(new TextEncoder().encode(`{"title":"${prefix}`));
            else if (kind === 'truncated') controller.error(new Error('connection reset by the client'));
            else controller.enqueue(new Uint8Array(8192).fill(0x20));
            sent += 1;
          },
        });
        const res = await gw.app.request('/v1/notes', {
          method: 'POST',
          headers: { 'x-api-key': apiKey, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
          body,
          duplex: 'half',
        } as RequestInit);
        expect(res.status, `${kind} ${prefix}`).toBe(kind === 'endless' ? 413 : 400);
        await res.arrayBuffer();
      }),
      { numRuns: 100 },
    );
    expect(gw.routes.get('notes')?.all[0]?.breaker.state).toBe('closed');
  });
});
