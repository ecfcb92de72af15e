import { Writable } from 'node:stream';
import { canaryGate, http } from '@homelab/platform';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createFaults } from './faults.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { ProblemError } from './problem.ts';
import { createServiceApp, type ServiceAppOptions } from './service-app.ts';

const adminToken = 'test-admin-token-0123456789';

function build(options: Partial<ServiceAppOptions> = {}) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ service: 'test', version: '1.2.3', destination });
  const metrics = createMetrics({ service: 'test', version: '1.2.3', commit: 'abc123' });
  const kit = createServiceApp({ service: 'test', logger, metrics, ...options });
  const items = new Hono();
  items.get('/:id', (c) => c.json({ id: c.req.param('id') }));
  items.post('/', async (c) => c.json(await c.req.json(), 201));
  items.get('/boom/:n', () => {
    throw new Error('secret internal detail');
  });
  items.get('/teapot/x', () => {
    throw new ProblemError(409, 'Conflict', 'already there', { hint: 'retry' });
  });
  // Never answers: only the front door's timeout can end the request.
  items.get('/slow/x', () => new Promise<Response>(() => {}));
  kit.app.route('/items', items);
  return { ...kit, lines, metrics };
}

describe('createServiceApp', () => {
  it('answers liveness and readiness, and readiness 503 once draining', async () => {
    const { app, lifecycle } = build();
    expect((await app.request(http.paths.liveness)).status).toBe(200);
    expect((await app.request(http.paths.readiness)).status).toBe(200);
    lifecycle.beginDrain();
    const res = await app.request(http.paths.readiness);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await app.request(http.paths.liveness)).status).toBe(200);
  });

  it('answers readiness 503 naming the failing check', async () => {
    const { app } = build({
      readiness: [
        { name: 'postgres', check: async () => Promise.reject(new Error('connection refused')) },
        { name: 'redis', check: async () => undefined },
      ],
    });
    const res = await app.request(http.paths.readiness);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ checks: { postgres: 'connection refused', redis: 'ok' } });
  });

  it('renders not-found, thrown problems and unknown errors as problem+json without stacks', async () => {
    const { app, lines } = build();
    const notFound = await app.request('/nowhere', { headers: { 'x-request-id': 'req-1' } });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toBe('application/problem+json');
    expect(await notFound.json()).toMatchObject({
      status: 404,
      title: 'Not Found',
      instance: '/nowhere',
      requestId: 'req-1',
    });

    const conflict = await app.request('/items/teapot/x');
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({
      type: 'about:blank',
      title: 'Conflict',
      detail: 'already there',
      hint: 'retry',
    });

    const boom = await app.request('/items/boom/1');
    expect(boom.status).toBe(500);
    const text = await boom.text();
    expect(text).not.toMatch(/secret internal detail|at .*\.ts/);
    expect(JSON.parse(text)).toMatchObject({ status: 500, title: 'Internal Server Error' });
    const logged = lines.find((l) => l.msg === 'unhandled error') as { err?: { stack?: string } } | undefined;
    expect(logged?.err?.stack).toMatch(/secret internal detail/);
  });

  it('labels metrics with the matched route pattern, not the URL', async () => {
    const { app, metrics } = build();
    for (const id of ['a', 'b', 'c']) await app.request(`/items/${id}`);
    await app.request('/nope/1');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/items\/:id",status="200"\} 3/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(text).not.toMatch(/route="\/items\/a"/);
    expect(text).toMatch(/build_info\{version="1.2.3",commit="abc123"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.25",method="GET",route="\/items\/:id"/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
  });

  it('labels the canary gate\'s synthetic load traffic="synthetic" and leaves user series as they were', async () => {
    const { app, metrics } = build();
    await app.request('/items/a');
    const tag = { [canaryGate.synthetic.header]: canaryGate.synthetic.value };
    for (let i = 0; i < 2; i++) await app.request('/items/b', { headers: tag });
    await app.request('/items/c', { headers: { [canaryGate.synthetic.header]: 'something else' } });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/items\/:id",status="200"\} 2/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/items\/:id",status="200",traffic="synthetic"\} 2/);
  });

  it('propagates traceparent and request id, generating them when absent', async () => {
    const { app, lines } = build();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await app.request('/items/1', {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, authorization: 'Bearer s3cret' },
    });
    const line = lines.find((l) => l.msg === 'request');
    expect(line).toMatchObject({ traceId, route: '/items/:id', status: 200, path: '/items/1', service: 'test' });
    expect(line?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(line?.spanId).not.toBe('00f067aa0ba902b7');
    expect(res.headers.get('x-request-id')).toBe(line?.requestId);
    expect(JSON.stringify(lines)).not.toMatch(/s3cret/);

    // A malformed id is replaced by the (new) trace id, so the two always correlate.
    const fresh = await app.request('/items/2', { headers: { traceparent: 'garbage', 'x-request-id': 'bad id\n' } });
    const freshLine = lines.findLast((l) => l.msg === 'request');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(freshLine?.traceId).toBe(fresh.headers.get('x-request-id'));
    expect(freshLine?.traceId).not.toBe(traceId);
  });

  it('never logs request bodies', async () => {
    const { app, lines } = build();
    await app.request('/items', { method: 'POST', body: JSON.stringify({ secret: 'body-value' }) });
    expect(JSON.stringify(lines)).not.toMatch(/body-value/);
  });

  it('sets security headers, limits bodies (413) and times out slow handlers (504)', async () => {
    const { app } = build({ bodyLimitBytes: 100, timeoutMs: 50 });
    const ok = await app.request('/items/1');
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ok.headers.get('x-frame-options')).toBe('DENY');
    const big = await app.request('/items', { method: 'POST', body: 'x'.repeat(101) });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toBe('application/problem+json');
    const slow = await app.request('/items/slow/x');
    expect(slow.status).toBe(504);
    expect(await slow.json()).toMatchObject({ status: 504 });
  });
});

describe('fault injection', () => {
  const put = (body: unknown, token?: string) => ({
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

  it('is refused with 404 unless enabled, even with the right token', async () => {
    const { app } = build({ faults: { enabled: false, adminToken } });
    expect((await app.request('/admin/faults', put({ errorRatio: 1 }, adminToken))).status).toBe(404);
    expect((await app.request('/admin/faults', { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(
      404,
    );
    expect((await app.request('/items/1')).status).toBe(200);
  });

  it('requires the token when enabled', async () => {
    const { app } = build({ faults: { enabled: true, adminToken } });
    expect((await app.request('/admin/faults', put({ errorRatio: 1 }))).status).toBe(401);
    expect((await app.request('/admin/faults', put({ errorRatio: 1 }, 'wrong-token-wrong-token'))).status).toBe(401);
    expect((await app.request('/items/1')).status).toBe(200);
  });

  it('injects errors, latency and readiness failure, and is cleared by DELETE', async () => {
    const { app } = build({ faults: { enabled: true, adminToken } });
    expect(
      (await app.request('/admin/faults', put({ errorRatio: 1, readinessFailure: true }, adminToken))).status,
    ).toBe(200);
    const failed = await app.request('/items/1');
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ fault: 'error' });
    expect((await app.request(http.paths.readiness)).status).toBe(503);
    expect((await app.request(http.paths.liveness)).status).toBe(200);
    const cleared = await app.request('/admin/faults', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(cleared.status).toBe(204);
    expect((await app.request('/items/1')).status).toBe(200);
    expect((await app.request(http.paths.readiness)).status).toBe(200);
  });

  it('rejects unknown fault fields with a 400 problem', async () => {
    const { app } = build({ faults: { enabled: true, adminToken } });
    const res = await app.request('/admin/faults', put({ errorRatio: 2, nonsense: true }, adminToken));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('puts the fault middleware in front of the routes (each fault itself: faults.test.ts, on a stepped clock)', async () => {
    let crashed = 0;
    const sleeps: number[] = [];
    const faults = createFaults({
      enabled: true,
      adminToken,
      crash: () => crashed++,
      random: () => 0,
      timers: {
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        every: () => () => {},
        later: (_ms, fn) => fn(),
      },
    });
    const { app } = build({ faults });
    await app.request('/admin/faults', put({ latencyMs: 120, latencyRatio: 0.5 }, adminToken));
    expect((await app.request('/items/1')).status).toBe(200);
    expect(sleeps).toEqual([120]);
    await app.request('/admin/faults', put({ crash: true }, adminToken));
    expect(crashed).toBe(1);
    faults.close();
  });
});

describe('log redaction', () => {
  it('censors credentials anywhere in a logged object, leaving the original untouched', async () => {
    const { redact } = await import('./logger.ts');
    const original = {
      msg: 'x',
      req: { headers: { Authorization: 'Bearer t', cookie: 'c', accept: 'json' } },
      token: 'abc',
    };
    const out = redact(original) as { req: { headers: Record<string, string> }; token: string };
    expect(out.req.headers.Authorization).toBe('[redacted]');
    expect(out.req.headers.cookie).toBe('[redacted]');
    expect(out.req.headers.accept).toBe('json');
    expect(out.token).toBe('[redacted]');
    expect(original.req.headers.Authorization).toBe('Bearer t');
  });
});
