import { Writable } from 'node:stream';
import { type ErrorHandler, Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createFaults } from './faults.ts';
import { frontDoor } from './front-door.ts';
import { createLogger } from './logger.ts';
import { createMetrics, type ServiceMetrics } from './metrics.ts';
import { ProblemError } from './problem.ts';

/** The real metrics with every observation recorded, and the log lines as parsed JSON. */
function harness(options: { bodyLimitBytes?: number; timeoutMs?: number; errorRatio?: number } = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 'test',
    version: '1',
    destination: new Writable({
      write(chunk, _e, done) {
        for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
        done();
      },
    }),
  });
  const real = createMetrics({ service: 'test', version: '1', commit: 'c' });
  const observed: { method: string; route: string; status: number }[] = [];
  let inFlight = 0;
  const metrics: ServiceMetrics = {
    ...real,
    requestStarted: () => inFlight++,
    requestFinished: () => inFlight--,
    observeRequest: (method, route, status) => observed.push({ method, route, status }),
  };
  const faults = createFaults({ enabled: true, adminToken: 'a'.repeat(24), random: () => 0 });
  if (options.errorRatio) faults.set({ ...faults.settings(), errorRatio: options.errorRatio });
  const onError: ErrorHandler = (error, c) =>
    error instanceof ProblemError ? c.json({ title: error.title }, error.status as 413) : c.text('bug', 500);
  const app = new Hono();
  app.use(
    '*',
    frontDoor({
      logger,
      metrics,
      accessLog: true,
      requestMetrics: true,
      bodyLimitBytes: options.bodyLimitBytes ?? 1024,
      bodyDeadlineMs: 1000,
      timeoutMs: options.timeoutMs ?? 1000,
      faults,
      onError,
    }),
  );
  app.get('/items/:id', (c) => c.text(`item ${c.req.param('id')}`));
  app.post('/items', async (c) => c.text(await c.req.text(), 201));
  app.get('/never', () => new Promise<Response>(() => {}));
  app.onError(onError);
  return { app, lines, observed, inFlight: () => inFlight, flush: () => logger.flush() };
}

const accessLines = (lines: Record<string, unknown>[]) => lines.filter((l) => l.msg === 'request');

describe('frontDoor', () => {
  it('logs and counts each request once, by route pattern, with the status sent', async () => {
    const h = harness();
    const res = await h.app.request('/items/42?token=secret', { headers: { 'x-request-id': 'req-7' } });
    expect(res.status).toBe(200);
    expect(h.observed).toEqual([{ method: 'GET', route: '/items/:id', status: 200 }]);
    expect(h.inFlight()).toBe(0);
    h.flush();
    await new Promise((r) => setImmediate(r));
    const [line] = accessLines(h.lines);
    expect(line).toMatchObject({
      requestId: 'req-7',
      method: 'GET',
      path: '/items/42',
      route: '/items/:id',
      status: 200,
    });
    // The query string can carry credentials: never logged.
    expect(JSON.stringify(h.lines)).not.toContain('secret');
  });

  it('answers 413 for a body over the limit, and the log and metrics see the 413', async () => {
    const h = harness({ bodyLimitBytes: 10 });
    expect((await h.app.request('/items', { method: 'POST', body: 'short' })).status).toBe(201);
    const res = await h.app.request('/items', { method: 'POST', body: 'x'.repeat(11) });
    expect(res.status).toBe(413);
    expect(h.observed.map((o) => o.status)).toEqual([201, 413]);
  });

  it('answers 504 when the handler does not answer in time, and records it', async () => {
    const h = harness({ timeoutMs: 20 });
    const res = await h.app.request('/never');
    expect(res.status).toBe(504);
    expect(h.observed).toEqual([{ method: 'GET', route: '/never', status: 504 }]);
    expect(h.inFlight()).toBe(0);
  });

  it('runs the fault middleware only while a fault is set, and records the injected status', async () => {
    const h = harness({ errorRatio: 1 });
    expect((await h.app.request('/items/1')).status).toBe(500);
    // The fault fires before routing, so the series has the unmatched route label, not the handler's pattern.
    expect(h.observed.map((o) => o.status)).toEqual([500]);
  });
});
