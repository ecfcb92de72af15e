import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics } from '@homelab/service-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { countsFromExposition, scrapeSource } from './scrape-source.ts';

/** The service kit's own registry, so the parser reads exactly what the apps expose. */
function serviceMetrics() {
  const m = createMetrics({ service: 'api', version: 'test', commit: 'test' });
  m.observeRequest('GET', '/v1/notes', 200, 0.01);
  m.observeRequest('GET', '/v1/notes', 200, 0.3); // slower than the api's 250 ms threshold
  m.observeRequest('GET', '/v1/notes/:id', 500, 0.02);
  m.observeRequest('GET', '/v1/notes/:id', 503, 1.2); // a server error that is slow too
  m.observeRequest('GET', '/v1/notes', 404, 0.005);
  // Not traffic (packages/platform sliRequests): probes, scrapes, operators' admin calls.
  for (let i = 0; i < 50; i++) m.observeRequest('GET', '/readyz', 503, 2);
  m.observeRequest('GET', '/metrics', 200, 0.001);
  m.observeRequest('PUT', '/admin/faults', 500, 0.001);
  return m;
}

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

describe('reading counts from /metrics', () => {
  it("counts requests, 5xx and slow requests from the kit's exposition, leaving out probes, scrapes and admin calls", async () => {
    const text = await serviceMetrics().registry.metrics();
    expect(countsFromExposition(text, 0.25)).toEqual({ requests: 5, errors: 2, slow: 2 });
  });

  it("counts the gate's tagged synthetic load too: it is evidence (only the user-facing SLOs leave it out)", async () => {
    const m = serviceMetrics();
    m.observeRequest('GET', '/v1/notes', 200, 0.01, true);
    m.observeRequest('GET', '/v1/notes', 500, 0.4, true);
    const text = await m.registry.metrics();
    expect(text).toMatch(/traffic="synthetic"/);
    expect(countsFromExposition(text, 0.25)).toEqual({ requests: 7, errors: 3, slow: 3 });
  });

  it('refuses a threshold that is not a bucket boundary, naming it', async () => {
    const text = await serviceMetrics().registry.metrics();
    expect(() => countsFromExposition(text, 0.2)).toThrow(/le=0.2/);
  });

  it('scrapes real HTTP endpoints; a dead process is a missing reading, not a failure', async () => {
    const m = serviceMetrics();
    const server = createServer(async (_req, res) => {
      res.setHeader('content-type', m.registry.contentType);
      res.end(await m.registry.metrics());
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const source = scrapeSource({
      canary: [url],
      stable: ['http://127.0.0.1:1/metrics'],
      latencyThresholdSeconds: 0.25,
    });
    const snapshot = await source.read();
    expect(snapshot.canary?.[url]).toEqual({ requests: 5, errors: 2, slow: 2 });
    expect(snapshot.stable).toBeUndefined();
  });
});
