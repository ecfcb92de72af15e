import { randomBytes } from 'node:crypto';
import { http } from '@homelab/platform';
import { type ServiceProcess, startServiceProcess } from '@homelab/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from './auth/api-keys.ts';
import { type StubUpstream, startGateway, startStub } from './testing/test-gateway.ts';

/**
 * Issue 17: `/metrics` answered anyone who reached the gateway's port. Now loopback callers (local Prometheus, the
 * status page, the canary gate) and, from anywhere else, only a caller with METRICS_TOKEN (Prometheus in the
 * cluster, from a mounted Secret): ADR 0122.
 *
 * No test here may send traffic off this host, so the outside caller is node-server's own binding with another
 * peer address (`c.env.incoming.socket.remoteAddress`, which is what the check reads); the loopback side is a
 * real gateway process on a real socket.
 */
describe('who may read the gateway metrics', () => {
  const token = randomBytes(32).toString('hex');
  let stub: StubUpstream;
  let withToken: Awaited<ReturnType<typeof startGateway>>;
  let loopbackOnly: Awaited<ReturnType<typeof startGateway>>;
  let process: ServiceProcess;

  beforeAll(async () => {
    stub = await startStub('stable');
    const upstreams = [{ name: 'stable', url: stub.url, version: '1', weight: 100 }];
    withToken = await startGateway(upstreams, { metricsToken: token });
    loopbackOnly = await startGateway(upstreams);
    process = await startServiceProcess('gateway', {
      API_URL: stub.url,
      API_KEYS: `alice:${hashApiKey('k')}`,
      METRICS_TOKEN: token,
    });
  }, 60_000);
  afterAll(async () => {
    await withToken?.server.close();
    await loopbackOnly?.server.close();
    await process?.stop();
    await stub?.close();
  });

  /** A request from a peer that is not this host, with the parts of node-server's binding the kit reads. */
  const from = (
    remoteAddress: string,
    app: typeof withToken.app,
    headers: Record<string, string> = {},
    path: string = http.paths.metrics,
  ) => app.request(path, { headers }, { incoming: { socket: { remoteAddress }, headers } });
  const fromOutside = (app: typeof withToken.app, headers: Record<string, string> = {}) =>
    from('203.0.113.9', app, headers);

  it('refuses an outside caller without the token (401), with a wrong one, and with no token configured (403)', async () => {
    const bare = await fromOutside(withToken.app);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('content-type')).toBe('application/problem+json');
    expect(bare.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect((await fromOutside(withToken.app, { authorization: `Bearer ${token}x` })).status).toBe(401);
    expect((await fromOutside(withToken.app, { authorization: token })).status).toBe(401);
    const none = await fromOutside(loopbackOnly.app, { authorization: `Bearer ${token}` });
    expect(none.status).toBe(403);
    expect(await none.text()).not.toContain('http_requests_total');
    // IPv4-mapped and link-local addresses are not loopback either.
    for (const remoteAddress of ['::ffff:10.0.0.7', 'fe80::1', '10.244.1.5']) {
      const res = await from(remoteAddress, withToken.app);
      expect(res.status, remoteAddress).toBe(401);
    }
  });

  it("accepts the scraper's bearer token from outside, as the PodMonitor presents it", async () => {
    const res = await fromOutside(withToken.app, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('http_requests_total');
  });

  it('answers loopback callers on a real socket, with or without a token configured', async () => {
    for (const url of [withToken.server.url, loopbackOnly.server.url, process.url]) {
      const res = await fetch(`${url}${http.paths.metrics}`);
      expect(res.status, url).toBe(200);
      expect(await res.text()).toContain('http_requests_total');
    }
  });

  it('keeps the probes open: the kubelet calls them from the node, without a token', async () => {
    for (const path of [http.paths.liveness, http.paths.readiness]) {
      const res = await from('203.0.113.9', withToken.app, {}, path);
      expect(res.status, path).toBe(200);
    }
  });
});
