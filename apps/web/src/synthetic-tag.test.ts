import { canaryGate } from '@homelab/platform';
import { createLogger, createMetrics } from '@homelab/service-kit';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.tsx';
import type { GatewayClient } from './gateway-client.ts';
import { createSessions } from './session.ts';
import { createUserDirectory, hashPassword } from './users.ts';

/**
 * ADR 0130 on web: web is public through its own HTTPRoute (no gateway in front of it), so the synthetic-traffic
 * tag must not let any client take its requests out of web's user-facing SLO. It counts only on a signed-in page
 * of the load-test identity (the canary gate's web profile); anyone else's tag is user traffic.
 */
describe("web's synthetic-traffic tag", () => {
  const origin = 'http://web.test';
  const tag = { [canaryGate.synthetic.header]: canaryGate.synthetic.value };
  const password = 'a test password';

  const web = async () => {
    const hash = await hashPassword(password);
    const empty = async () => ({ ok: true, value: { notes: [], nextCursor: null } }) as never;
    const gateway: GatewayClient = { list: empty, get: empty, create: empty, update: empty, remove: empty };
    const metrics = createMetrics({ service: 'web', version: 'test', commit: 'test' });
    const { app } = createApp({
      logger: createLogger({ service: 'web', version: 'test', level: 'silent' }),
      metrics,
      gateway,
      sessions: createSessions({ secret: 's'.repeat(32), secure: false }),
      users: await createUserDirectory(`alice:${hash} load-test:${hash}`),
      readStatus: async () => ({ source: 'service metrics', window: 'test', services: [], canary: undefined }),
      syntheticIdentity: 'load-test',
    });
    const signIn = async (username: string) => {
      const res = await app.request(`${origin}/signin`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username, password }).toString(),
      });
      return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    };
    const counts = async () => {
      const lines = (await metrics.registry.metrics()).split('\n').filter((l) => l.startsWith('http_requests_total{'));
      const sum = (synthetic: boolean) =>
        lines
          .filter((l) => l.includes(`${canaryGate.synthetic.label}="${canaryGate.synthetic.labelValue}"`) === synthetic)
          .reduce((total, l) => total + Number(l.split(' ').at(-1)), 0);
      return { user: sum(false), synthetic: sum(true) };
    };
    return { app, signIn, counts };
  };

  it("counts a tagged request from the public, or from an ordinary user's session, as user traffic", async () => {
    const { app, signIn, counts } = await web();
    const alice = await signIn('alice');
    const before = await counts();
    expect((await app.request(`${origin}/signin`, { headers: tag })).status).toBe(200);
    expect((await app.request(`${origin}/status`, { headers: tag })).status).toBe(200);
    expect((await app.request(`${origin}/notes`, { headers: { ...tag, cookie: alice } })).status).toBe(200);
    const after = await counts();
    expect(after.synthetic - before.synthetic).toBe(0);
    expect(after.user - before.user).toBe(3);
  });

  it("counts the load-test identity's tagged page read as synthetic, and its untagged one as user traffic", async () => {
    const { app, signIn, counts } = await web();
    const loadTest = await signIn('load-test');
    const before = await counts();
    expect((await app.request(`${origin}/notes`, { headers: { ...tag, cookie: loadTest } })).status).toBe(200);
    expect((await app.request(`${origin}/notes`, { headers: { cookie: loadTest } })).status).toBe(200);
    const after = await counts();
    expect(after.synthetic - before.synthetic).toBe(1);
    expect(after.user - before.user).toBe(1);
  });
});
