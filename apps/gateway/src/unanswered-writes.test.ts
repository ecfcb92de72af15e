import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from '@homelab/platform';
import { type RawExchange, rawRequest, type ServiceProcess, startServiceProcess } from '@homelab/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from './auth/api-keys.ts';
import { createMemoryRateLimiter } from './rate-limit/token-bucket.ts';
import { apiKey, startGateway, startUpstream } from './testing/test-gateway.ts';

const postNote = (url: string, title: string, signal?: AbortSignal) => {
  const started = performance.now();
  return fetch(`${url}/v1/notes`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ title, body: 'b' }),
    ...(signal ? { signal } : {}),
  }).then(async (res) => ({
    status: res.status,
    body: (await res.json().catch(() => ({}))) as Record<string, unknown>,
    ms: performance.now() - started,
  }));
};

/**
 * Issue 17: when the API was slower than the gateway's upstream timeout, or died mid-request, POST, PATCH and
 * DELETE through the gateway got no answer at all (0 bytes) and were counted as 499 (client gone), so neither the
 * SLO nor the status page saw them; GET got its 504/502. A request whose body had been read to its end looked
 * like a request whose client had left. Real processes (the API's own fault injection makes it slow; a SIGKILL
 * kills it) and raw sockets, so nothing between the client and the gateway hides a missing answer.
 */
describe('every write through the gateway gets an answer', () => {
  const key = randomBytes(32).toString('base64url');
  const adminToken = randomBytes(24).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-unanswered-'));
  const upstreamTimeoutMs = 1_500;
  let api: ServiceProcess;
  let gateway: ServiceProcess;

  const setApiLatency = async (latencyMs: number) => {
    const res = await fetch(`${api.url}/admin/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs }),
    });
    expect(res.status).toBe(200);
  };
  const send = (method: string, path: string, body?: string): Promise<RawExchange & { ms: number }> => {
    const started = performance.now();
    const head = [`${method} ${path} HTTP/1.1`, 'host: gateway', `x-api-key: ${key}`];
    if (body !== undefined) head.push('content-type: application/json', `content-length: ${Buffer.byteLength(body)}`);
    if (method === 'PATCH') head.push('if-match: "1"');
    return rawRequest(gateway.url, {
      head: head.join('\n'),
      ...(body !== undefined ? { chunks: [body] } : {}),
      waitMs: 12_000,
      withBody: true,
    }).then((res) => ({ ...res, ms: performance.now() - started }));
  };
  /** The problem's JSON body, after the head. */
  const problemOf = (res: RawExchange) => JSON.parse(res.text.slice(res.text.indexOf('\r\n\r\n') + 4) || '{}');
  const gatewayCounts = async () => {
    const text = await (await fetch(`${gateway.url}${http.paths.metrics}`)).text();
    return [...text.matchAll(/^http_requests_total\{method="(\w+)",route="[^"]*",status="(\d+)"\} (\d+)/gm)].map(
      ([, method, status, count]) => ({ method, status: Number(status), count: Number(count) }),
    );
  };

  beforeAll(async () => {
    api = await startServiceProcess(
      'api',
      {
        PGLITE_DATA_DIR: dataDir,
        MIGRATE_ON_START: 'true',
        FAULTS_ENABLED: 'true',
        ADMIN_TOKEN: adminToken,
      },
      { timeoutMs: 150_000 },
    );
    gateway = await startServiceProcess('gateway', {
      API_URL: api.url,
      API_KEYS: `alice:${hashApiKey(key)}`,
      UPSTREAM_TIMEOUT_MS: String(upstreamTimeoutMs),
    });
    // PGlite's first start is slow on a loaded machine.
  }, 240_000);
  afterAll(async () => {
    await gateway?.stop();
    await api?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers POST, PATCH, DELETE and GET with a 504 "outcome unknown" when the API is slower than the timeout', async () => {
    const created = await send('POST', '/v1/notes', '{"title":"t","body":"b"}');
    expect(created.status).toBe(201);
    await setApiLatency(10_000);
    const id = '00000000-0000-4000-8000-000000000000';
    const answers = await Promise.all([
      send('POST', '/v1/notes', '{"title":"slow","body":"b"}'),
      send('PATCH', `/v1/notes/${id}`, '{"title":"slow"}'),
      send('DELETE', `/v1/notes/${id}`),
      send('GET', '/v1/notes'),
    ]);
    for (const res of answers) {
      expect(res.status, res.text).toBe(504);
      expect(res.text).toContain('application/problem+json');
      // The proxy's own answer (it names the upstream and the outcome), not the kit's catch-all 504: the route
      // timeout spans the request's whole stay upstream, so the proxy answers first.
      expect(problemOf(res).detail).toMatch(/^upstream stable did not answer within 1500 ms/);
      expect(problemOf(res).outcome).toBe('unknown');
      expect(res.ms).toBeLessThan(http.requestTimeoutMs);
    }
    const bodies = await Promise.all(
      ['POST', 'DELETE'].map((method) =>
        fetch(`${gateway.url}/v1/notes${method === 'DELETE' ? `/${id}` : ''}`, {
          method,
          headers: { 'x-api-key': key, 'content-type': 'application/json' },
          ...(method === 'POST' ? { body: '{"title":"slow","body":"b"}' } : {}),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> })),
      ),
    );
    for (const { status, body } of bodies) {
      expect(status).toBe(504);
      // Sent and not answered: it may have been applied. The client must not assume either.
      expect(body.outcome).toBe('unknown');
    }
    const counts = await gatewayCounts();
    for (const method of ['POST', 'PATCH', 'DELETE', 'GET']) {
      expect(counts.find((c) => c.method === method && c.status === 504)?.count, method).toBeGreaterThanOrEqual(1);
    }
    expect(counts.filter((c) => c.status === 499)).toEqual([]);
  }, 60_000);

  it('answers all four POSTs in flight when the API is SIGKILLed, then refuses new ones as "not applied"', async () => {
    await setApiLatency(10_000);
    const inFlight = Array.from({ length: 4 }, (_, i) => send('POST', '/v1/notes', `{"title":"k${i}","body":"b"}`));
    // The POSTs reach the API and wait in its latency fault; then the API dies without a word.
    await new Promise((r) => setTimeout(r, 500));
    await api.stop('SIGKILL');
    const answers = await Promise.all(inFlight);
    for (const res of answers) {
      expect(res.status, res.text).toBeTypeOf('number');
      expect([502, 504]).toContain(res.status);
      expect(res.text).toContain('application/problem+json');
      // Sent before the kill, or refused after it: either way the answer says which.
      expect(['unknown', 'not-applied']).toContain(problemOf(res).outcome);
    }

    // Nothing listens now: the connection is refused before a byte of the request is sent.
    const refused = await send('POST', '/v1/notes', '{"title":"after","body":"b"}');
    expect(refused.status).toBe(502);
    const problem = problemOf(refused);
    expect(problem.outcome).toBe('not-applied');
    expect(problem.retryable).toBe(true);
    expect((await gatewayCounts()).filter((c) => c.status === 499)).toEqual([]);
  }, 60_000);

  it('publishes the outcome field in the public contract of every 502 and 504', async () => {
    type Responses = Record<string, { content: Record<string, { schema: { $ref: string } }> }>;
    const doc = (await (await fetch(`${gateway.url}${http.paths.openapi}`)).json()) as {
      paths: Record<string, Record<string, { responses: Responses }>>;
      components: { schemas: Record<string, unknown> };
    };
    const schema = JSON.stringify(doc.components.schemas.UpstreamFailure);
    expect(schema).toContain('"enum":["not-applied","unknown"]');
    expect(schema).toContain('"required":["outcome","retryable"]');
    for (const operations of Object.values(doc.paths)) {
      for (const operation of Object.values(operations)) {
        for (const status of ['502', '504']) {
          expect(operation.responses[status]?.content['application/problem+json']?.schema.$ref).toBe(
            '#/components/schemas/UpstreamFailure',
          );
        }
      }
    }
  });
});

/**
 * The upstream dies while the client is still sending its body: that is the upstream's failure (502, outcome
 * unknown), not the client's slow body (it was answered 408 as if the client had been too slow).
 */
describe('an upstream that dies in the middle of a request body', () => {
  let upstream: Server;
  let gw: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    // Reads the request head and a little of the body, then the process "dies": the connection is reset.
    upstream = createServer((socket) => {
      socket.once('data', () => setTimeout(() => socket.resetAndDestroy(), 100));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    gw = await startGateway([{ name: 'stable', url, version: '1', weight: 100 }], { timeoutMs: 3_000 });
  });
  afterAll(async () => {
    await gw?.server.close();
    upstream?.close();
  });

  it('answers the client 502 "outcome unknown" while its body is still arriving', async () => {
    const res = await rawRequest(gw.server.url, {
      head: ['POST /v1/notes HTTP/1.1', 'host: gateway', `x-api-key: ${apiKey}`, 'content-length: 1000'].join('\n'),
      chunks: ['{"title":"', 'x'.repeat(50)],
      intervalMs: 50,
      waitMs: 10_000,
      withBody: true,
    });
    expect(res.status, res.text).toBe(502);
    const problem = JSON.parse(res.text.slice(res.text.indexOf('\r\n\r\n') + 4));
    expect(problem.outcome).toBe('unknown');
  });
});

/**
 * Every upstream connection busy (a slow API, the pool full): a request waiting in the pool's queue had no
 * deadline until it reached a socket, then the full route timeout again, and was then written to the API after
 * all, however long it had waited. The route timeout now covers the wait: the queued request is answered within
 * it, as not applied, and never sent.
 */
describe('a request queued behind busy upstream connections', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let received = 0;
  let gw: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    // The first request's answer streams for as long as the test runs, so the only connection never frees up.
    upstream = await startUpstream((req, res) => {
      received += 1;
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      const trickle = setInterval(() => res.write('.'), 100);
      res.on('close', () => clearInterval(trickle));
    });
    const { url } = upstream;
    gw = await startGateway([{ name: 'stable', url, version: '1', weight: 100 }], { timeoutMs: 800, connections: 1 });
  });
  afterAll(async () => {
    await gw?.server.close();
    await upstream?.close();
  });

  it('answers it within the route timeout as not applied, and never sends it', async () => {
    const post = (title: string, signal?: AbortSignal) =>
      fetch(`${gw.server.url}/v1/notes`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ title, body: 'b' }),
        ...(signal ? { signal } : {}),
      });
    const stopFirst = new AbortController();
    const first = await post('first', stopFirst.signal);
    expect(first.status).toBe(200);
    const started = performance.now();
    const second = await post('second');
    const waited = performance.now() - started;
    expect(second.status).toBe(504);
    expect(((await second.json()) as { outcome?: string }).outcome).toBe('not-applied');
    expect(waited).toBeLessThan(http.requestTimeoutMs);
    // Long after its answer, while the first still holds the connection, the second has not reached the API.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(received).toBe(1);
    stopFirst.abort();
  });
});

/**
 * Issue 17's audit: with the default timeouts (route 3 s, kit 5 s) a POST that waited 2.8 s for the only
 * connection was then sent with a full headers timeout of its own, so the kit's generic 504 answered it at 5 s,
 * without an outcome. The route timeout now spans the wait: the request is sent with what is left of it, and the
 * proxy's own 504 (outcome and retryable) comes first.
 */
describe('a write that waited for a connection, with the default timeouts', () => {
  const routeTimeoutMs = 3_000;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let received = 0;
  let gw: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    // The first request holds the only connection for most of the route timeout; the second is never answered.
    upstream = await startUpstream((req, res) => {
      received += 1;
      req.resume();
      if (received === 1) setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('first'), 2_000);
    });
    const { url } = upstream;
    gw = await startGateway([{ name: 'stable', url, version: '1', weight: 100 }], {
      timeoutMs: routeTimeoutMs,
      connections: 1,
    });
  });
  afterAll(async () => {
    await gw?.server.close();
    await upstream?.close();
  });

  it("answers it with the proxy's 504 and its outcome before the kit's request timeout", async () => {
    const first = postNote(gw.server.url, 'first');
    while (received === 0) await new Promise((r) => setTimeout(r, 10));
    const second = await postNote(gw.server.url, 'second');
    expect((await first).status).toBe(200);
    expect(second.status).toBe(504);
    // Sent with what was left of the route timeout (the upstream got it) and not answered: it may be applied.
    expect(received).toBe(2);
    expect(second.body.outcome).toBe('unknown');
    expect(second.body.retryable).toBe(false);
    expect(second.body.detail).toMatch(/^upstream stable did not answer within 3000 ms/);
    expect(second.ms).toBeLessThan(http.requestTimeoutMs);
  });
});

/**
 * The kit's catch-all 504 (the request timeout, `http.requestTimeoutMs`) cannot know whether a proxied request
 * reached the API; on the gateway it says so instead of nothing. Reached here through a rate limiter that never
 * answers, as a hung shared store would.
 */
describe("the gateway's catch-all request timeout", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    const stuck = createMemoryRateLimiter({ capacity: 1, refillPerSecond: 1 });
    gw = await startGateway([{ name: 'stable', url: 'http://127.0.0.1:9', version: '1', weight: 100 }], {
      limiter: { policy: stuck.policy, take: () => new Promise(() => undefined) },
    });
  });
  afterAll(async () => {
    await gw?.server.close();
  });

  it('answers 504 problem+json with outcome "unknown"', async () => {
    const res = await fetch(`${gw.server.url}/v1/notes`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: '{"title":"t","body":"b"}',
    });
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.detail).toBe(`the request did not complete within ${http.requestTimeoutMs} ms`);
    expect(body.outcome).toBe('unknown');
    expect(body.retryable).toBe(false);
  }, 15_000);
});

/**
 * In the cluster the gateway reaches the API through the internal Envoy, whose own 502/503/504 ("upstream connect
 * error", "no healthy upstream") is plain text: forwarded as it was, a client got no problem and no outcome
 * (issue 17's audit). The gateway answers its own problem instead; the API's own problem+json passes unchanged.
 */
describe('an opaque 502/503/504 from between the gateway and the API', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let answer: { status: number; type: string; body: string } = { status: 503, type: 'text/plain', body: '' };

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body));
    });
    const { url } = upstream;
    gw = await startGateway([{ name: 'stable', url, version: '1', weight: 100 }], { timeoutMs: 3_000 });
  });
  afterAll(async () => {
    await gw?.server.close();
    await upstream?.close();
  });

  it('becomes the gateway\'s own problem with outcome "unknown"', async () => {
    for (const [status, body] of [
      [503, 'upstream connect error or disconnect/reset before headers. reset reason: connection termination'],
      [502, ''],
      [504, 'upstream request timeout'],
    ] as const) {
      answer = { status, type: 'text/plain', body };
      const res = await postNote(gw.server.url, `opaque ${status}`);
      expect(res.status).toBe(status);
      expect(res.body.outcome).toBe('unknown');
      expect(res.body.retryable).toBe(false);
      expect(res.body.detail).toMatch(new RegExp(`^upstream stable answered ${status} without saying`));
    }
  });

  it("passes the API's own problem+json through unchanged", async () => {
    answer = {
      status: 503,
      type: 'application/problem+json',
      body: JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'draining' }),
    };
    const res = await postNote(gw.server.url, 'problem');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ title: 'Service Unavailable', status: 503, detail: 'draining' });
  });
});
