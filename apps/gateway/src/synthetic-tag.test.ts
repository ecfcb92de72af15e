import { canaryGate } from '@homelab/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKey, echo, type StubUpstream, startGateway, startStub, userKeys } from './testing/test-gateway.ts';

/**
 * ADR 0130: the canary gate's synthetic load is tagged `x-homelab-synthetic: 1` and left out of the user-facing
 * SLO. Only the load-test identity may tag: anyone else's tag is removed before the gateway counts the request or
 * forwards it, so a client cannot hide its own failures. Real gateway and stub API on loopback sockets.
 */
describe('the synthetic-traffic tag', () => {
  const tag = { [canaryGate.synthetic.header]: canaryGate.synthetic.value };
  let stub: StubUpstream;
  let gateway: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    stub = await startStub('stable');
    // `user-0` plays the load-test identity; `alice` is an ordinary API key.
    gateway = await startGateway([{ name: 'stable', url: stub.url, version: '1', weight: 100 }], {
      syntheticIdentity: 'user-0',
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.server.close();
    await stub?.close();
  });

  const get = (key: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.server.url}/v1/notes`, { headers: { 'x-api-key': key, ...headers } });
  const series = async () => {
    const text = await gateway.metrics.registry.metrics();
    const count = (synthetic: boolean) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('http_requests_total{') && l.includes('route="/v1'))
        .filter((l) => l.includes(`${canaryGate.synthetic.label}="${canaryGate.synthetic.labelValue}"`) === synthetic)
        .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
    return { user: count(false), synthetic: count(true) };
  };

  it("counts an ordinary API key's tagged request as user traffic and does not forward the tag", async () => {
    const before = await series();
    const res = await get(apiKey, tag);
    expect(res.status).toBe(200);
    expect((await echo(res)).headers[canaryGate.synthetic.header]).toBeUndefined();
    const after = await series();
    expect(after.user - before.user).toBe(1);
    expect(after.synthetic - before.synthetic).toBe(0);
  });

  it("keeps the load-test identity's tag: counted as synthetic and forwarded to the API", async () => {
    const before = await series();
    const res = await get(userKeys[0] as string, tag);
    expect((await echo(res)).headers[canaryGate.synthetic.header]).toBe(canaryGate.synthetic.value);
    const untagged = await get(userKeys[0] as string);
    expect((await echo(untagged)).headers[canaryGate.synthetic.header]).toBeUndefined();
    const after = await series();
    expect(after.synthetic - before.synthetic).toBe(1);
    expect(after.user - before.user).toBe(1);
  });
});
