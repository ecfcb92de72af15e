import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, type StubUpstream, startGateway, startStub } from '../testing/test-gateway.ts';

/** Names every plain object inherits: a lookup by name must never find these. */
const inheritedNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

/**
 * Issue 17: route names were looked up on a plain object, so `constructor` or `toString` found an inherited
 * function and answered 400 with an internal TypeError, and a weight for upstream `__proto__` (which JSON.parse
 * makes an own key and a record schema then assigns as the prototype) answered 200 doing nothing.
 */
describe('admin upstreams with names from Object.prototype', () => {
  let stable: StubUpstream;
  let canary: StubUpstream;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  const put = (route: string, body: string) =>
    fetch(`${gw.server.url}/admin/upstreams/${route}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body,
    });
  const weights = async () =>
    (
      (await (
        await fetch(`${gw.server.url}/admin/upstreams`, { headers: { authorization: `Bearer ${adminToken}` } })
      ).json()) as {
        notes: { name: string; weight: number }[];
      }
    ).notes.map((u) => [u.name, u.weight]);

  beforeAll(async () => {
    stable = await startStub('stable');
    canary = await startStub('canary');
    gw = await startGateway([
      { name: 'stable', url: stable.url, version: '1', weight: 100 },
      { name: 'canary', url: canary.url, version: '2', weight: 0 },
    ]);
  });
  afterAll(async () => {
    await gw?.server.close();
    await stable?.close();
    await canary?.close();
  });

  it('answers 404 problem+json for a route named like an inherited property', async () => {
    for (const route of inheritedNames) {
      const res = await put(route, '{"weights":{"stable":100}}');
      expect(res.status, route).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).toBe(`no route "${route}"`);
    }
  });

  it('answers 400 for a weight of an upstream named like an inherited property, changing nothing', async () => {
    const before = await weights();
    for (const name of inheritedNames) {
      const res = await put('notes', `{"weights":{"${name}":50}}`);
      expect(res.status, name).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).toBe(`unknown upstream "${name}"`);
    }
    // Mixed with a real name, the whole change is refused.
    expect((await put('notes', '{"weights":{"canary":50,"__proto__":50}}')).status).toBe(400);
    expect(await weights()).toEqual(before);
    expect((await put('notes', '{"weights":{"canary":50}}')).status).toBe(200);
    expect(await weights()).toEqual([
      ['stable', 100],
      ['canary', 50],
    ]);
  });
});
