import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '@homelab/platform';
import { problem } from '@homelab/service-kit';
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayMetrics } from '../metrics.ts';
import { createRetryBudget } from '../resilience/retry-budget.ts';
import { createUpstream, type Upstream } from '../upstreams/upstream.ts';
import { createWeightedUpstreams } from '../upstreams/weighted-upstreams.ts';
import { proxy } from './proxy.ts';

/** An upstream answering each request with the next scripted status (then 200), recording what it received. */
async function scriptedUpstream() {
  const received: IncomingMessage[] = [];
  const script: number[] = [];
  const server: Server = createServer((req, res) => {
    received.push(req);
    req.resume();
    req.on('end', () => {
      const status = script.shift() ?? 200;
      if (status === 0) return; // never answers: a timeout
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, script, server };
}

/** `proxy()` alone on a bare Hono app (the `app.request()` path: a streamed web Response). */
function proxiedApp(url: string, options: { timeoutMs?: number; maxRetries?: number; openMs?: number } = {}) {
  const upstream: Upstream = createUpstream(
    { name: 'stable', url, version: '1', weight: 100 },
    { breaker: { minimumRequests: 4, openMs: options.openMs ?? 60_000 } },
  );
  const handler = proxy(
    {
      name: 'notes',
      upstreams: createWeightedUpstreams([upstream]),
      timeoutMs: options.timeoutMs ?? 1_000,
      maxRetries: options.maxRetries ?? 1,
      retryBudget: createRetryBudget(),
    },
    {
      metrics: createGatewayMetrics(new Registry()),
      problem,
      signIdentity: (identity) => `signed:${identity}`,
    },
  );
  const app = new Hono();
  app.all('/*', (c) => {
    c.set('identity', c.req.header('x-test-identity') ?? 'alice');
    c.set('requestId', 'req-1');
    c.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    return handler(c);
  });
  return { app, upstream, close: () => upstream.pool.close() };
}

describe('proxy', () => {
  let up: Awaited<ReturnType<typeof scriptedUpstream>>;
  beforeAll(async () => {
    up = await scriptedUpstream();
  });
  afterAll(() => up?.server.close());

  it('forwards the signed identity and the request id, never the client copies', async () => {
    const { app, close } = proxiedApp(up.url);
    const res = await app.request('/v1/notes', { headers: { [http.identityHeader]: 'forged', 'x-homelab-user': 'x' } });
    expect(res.status).toBe(200);
    const seen = up.received.at(-1) as IncomingMessage;
    expect(seen.headers[http.identityHeader]).toBe('signed:alice');
    expect(seen.headers['x-homelab-user']).toBeUndefined();
    expect(seen.headers[http.requestIdHeader]).toBe('req-1');
    await close();
  });

  it('retries a GET once on 503, never a POST with a body', async () => {
    const { app, close } = proxiedApp(up.url);
    up.script.push(503);
    const before = up.received.length;
    expect((await app.request('/v1/notes')).status).toBe(200);
    expect(up.received.length - before).toBe(2);
    up.script.push(503);
    const post = await app.request('/v1/notes', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(post.status).toBe(503);
    await close();
  });

  it('answers 504 problem on a timeout and 502 problem when the upstream is unreachable', async () => {
    const slow = proxiedApp(up.url, { timeoutMs: 200, maxRetries: 0 });
    up.script.push(0);
    const timedOut = await slow.app.request('/v1/notes');
    expect(timedOut.status).toBe(504);
    expect(timedOut.headers.get('content-type')).toBe('application/problem+json');
    await slow.close();
    const dead = proxiedApp('http://127.0.0.1:9', { maxRetries: 0 });
    expect((await dead.app.request('/v1/notes')).status).toBe(502);
    await dead.close();
  });

  it('answers 503 with Retry-After once the breaker opened, without calling the upstream', async () => {
    const dead = proxiedApp('http://127.0.0.1:9', { maxRetries: 0, openMs: 3_000 });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await dead.app.request('/v1/notes')).status);
    expect(statuses).toContain(502);
    expect(dead.upstream.breaker.state).toBe('open');
    const refused = await dead.app.request('/v1/notes');
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(3);
    await dead.close();
  });

  it("keeps a client's 4xx out of the breaker: 40 answers of 404 leave it closed", async () => {
    const { app, upstream, close } = proxiedApp(up.url);
    up.script.push(...Array.from({ length: 40 }, () => 404));
    for (let i = 0; i < 40; i++) expect((await app.request('/v1/notes')).status).toBe(404);
    expect(upstream.breaker.state).toBe('closed');
    await close();
  });
});
