import { Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { http } from '@homelab/platform';
import { createAdaptorServer } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { serve } from './serve.ts';
import { createServiceApp } from './service-app.ts';

const silent = new Writable({ write: (_c, _e, done) => done() });

// Keep-alive, so `Connection: close` in an answer is the server's decision and not the client's request.
const agent = new Agent({ keepAlive: true });

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
  rawHeaders: string[];
}

function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body, rawHeaders: res.rawHeaders }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve', () => {
  it('picks a free port, applies the keep-alive ordering and drains in-flight requests on close()', async () => {
    const logger = createLogger({ service: 't', version: '0', destination: silent });
    const metrics = createMetrics({ service: 't', version: '0', commit: 'x' });
    const { app, lifecycle } = createServiceApp({ service: 't', logger, metrics });
    let hookRan = false;
    lifecycle.onShutdown(async () => {
      hookRan = true;
    });
    app.get('/slow', async (c) => {
      await new Promise((r) => setTimeout(r, 400));
      return c.text('done');
    });
    const running = await serve({
      app,
      port: 0,
      host: '127.0.0.1',
      logger,
      lifecycle,
      handleSignals: false,
      lingerMs: 200,
    });
    expect(running.port).toBeGreaterThan(0);
    expect(running.server.keepAliveTimeout).toBe(http.keepAlive.serverKeepAliveTimeoutMs);
    expect(running.server.headersTimeout).toBeGreaterThan(running.server.keepAliveTimeout);
    expect(await get(`${running.url}/healthz`)).toMatchObject({ status: 200, connection: 'keep-alive' });

    const slow = get(`${running.url}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    const closed = running.close();
    await new Promise((r) => setTimeout(r, 20));
    const ready = await get(`${running.url}${http.paths.readiness}`);
    expect(ready.status).toBe(503);
    expect(ready.connection).toBe('close');
    const answered = await slow;
    expect(answered).toMatchObject({ status: 200, body: 'done', connection: 'close' });
    await closed;
    expect(hookRan).toBe(true);
    await expect(get(`${running.url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('sends the security headers and request id in the answer head; a handler header of the same name replaces one', async () => {
    const logger = createLogger({ service: 't', version: '0', destination: silent });
    const metrics = createMetrics({ service: 't', version: '0', commit: 'x' });
    const { app, lifecycle } = createServiceApp({ service: 't', logger, metrics });
    app.get('/framed', (c) => c.body('x', 200, { 'X-Frame-Options': 'SAMEORIGIN' }));
    app.get('/plain', (c) => c.json({ ok: true }));
    const running = await serve({ app, port: 0, host: '127.0.0.1', logger, lifecycle, handleSignals: false });
    try {
      const named = (answer: Answer, name: string) =>
        answer.rawHeaders.filter((_, i) => i % 2 === 1 && answer.rawHeaders[i - 1]?.toLowerCase() === name);

      const plain = await get(`${running.url}/plain`, { [http.requestIdHeader]: 'drill-42' });
      expect(plain.body).toBe('{"ok":true}');
      expect(named(plain, http.requestIdHeader)).toEqual(['drill-42']);
      expect(named(plain, 'x-content-type-options')).toEqual(['nosniff']);
      expect(named(plain, 'strict-transport-security')).toEqual(['max-age=15552000; includeSubDomains']);
      expect(named(plain, 'content-type')).toEqual(['application/json']);

      // Sent once, with the handler's value, although the handler spelled the name differently.
      const framed = await get(`${running.url}/framed`);
      expect(named(framed, 'x-frame-options')).toEqual(['SAMEORIGIN']);
      expect(named(framed, 'referrer-policy')).toEqual(['no-referrer']);
      expect(named(framed, http.requestIdHeader)).toHaveLength(1);
    } finally {
      await running.close();
    }
  });

  it('still sends the security headers when the app runs on a plain node-server (not serve())', async () => {
    const logger = createLogger({ service: 't', version: '0', destination: silent });
    const metrics = createMetrics({ service: 't', version: '0', commit: 'x' });
    const { app } = createServiceApp({ service: 't', logger, metrics });
    app.get('/plain', (c) => c.json({ ok: true }));
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await get(`http://127.0.0.1:${port}/plain`, { [http.requestIdHeader]: 'plain-1' });
      expect(answer.body).toBe('{"ok":true}');
      const value = (name: string) =>
        answer.rawHeaders.filter((_, i) => i % 2 === 1 && answer.rawHeaders[i - 1]?.toLowerCase() === name);
      expect(value('x-content-type-options')).toEqual(['nosniff']);
      expect(value(http.requestIdHeader)).toEqual(['plain-1']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
