import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { http } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { serve } from './serve.ts';
import { createServiceApp } from './service-app.ts';

const silent = new Writable({ write: (_c, _e, done) => done() });

function get(url: string): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
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
    expect((await get(`${running.url}/healthz`)).status).toBe(200);

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
});
