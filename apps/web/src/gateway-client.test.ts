import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@homelab/test-servers';
import { renderToString } from 'hono/jsx/dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayClient, type GatewayResult } from './gateway-client.ts';
import { FailureMessage } from './views/layout.tsx';

const trace = { requestId: 'r1', traceparent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01' };
const problem = (res: ServerResponse, status: number, outcome: string) =>
  res
    .writeHead(status, { 'content-type': 'application/problem+json' })
    .end(
      JSON.stringify({ type: 'about:blank', title: 'x', status, instance: '/v1/notes', detail: 'upstream', outcome }),
    );

/**
 * Issue 17, the web app as the gateway's client: a write the gateway could not confirm was shown as "Nothing was
 * changed; try again", which invites a duplicate when the note was in fact saved. The page now says what the
 * gateway's problem says (ADR 0120), and a write its own timeout cut off is "unknown" too.
 */
describe('the web app tells a write that was not applied from one that may have been', () => {
  let server: Server;
  let url: string;
  let answer: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((req, res) => answer(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  // Generous, so a loaded machine never turns a prompt answer into this client's own timeout; the hanging case
  // passes a short one.
  const client = (baseUrl = url, timeoutMs = 5_000) =>
    createGatewayClient({ baseUrl, jwtSecret: new Uint8Array(32).fill(7), timeoutMs });
  const create = (baseUrl?: string, timeoutMs?: number) =>
    client(baseUrl, timeoutMs).create('alice', trace, { title: 't', body: 'b' });
  const shown = (result: GatewayResult<unknown>) => {
    if (result.ok) throw new Error('expected a failure');
    return renderToString(FailureMessage({ failure: result }) as never);
  };

  it("passes on the gateway's outcome: unknown (may be saved) or not-applied (nothing changed)", async () => {
    answer = (_req, res) => problem(res, 504, 'unknown');
    const unknown = await create();
    expect(unknown).toMatchObject({ ok: false, kind: 'unavailable', outcome: 'unknown' });
    expect(shown(unknown)).toContain('may have been saved');
    expect(shown(unknown)).not.toContain('Nothing was changed');

    answer = (_req, res) => problem(res, 502, 'not-applied');
    const refused = await create();
    expect(refused).toMatchObject({ ok: false, kind: 'unavailable', outcome: 'not-applied' });
    expect(shown(refused)).toContain('Nothing was changed');
  });

  it('calls a write its own timeout cut off unknown, and a refused connection not applied', async () => {
    answer = () => undefined; // never answers
    const timedOut = await create(url, 300);
    expect(timedOut).toMatchObject({ ok: false, kind: 'unavailable', outcome: 'unknown' });
    const refused = await create(`http://127.0.0.1:${await freePort()}`);
    expect(refused).toMatchObject({ ok: false, kind: 'unavailable', outcome: 'not-applied' });
    // A read changes nothing, whatever happened to it.
    const read = await client(url, 300).list('alice', trace);
    expect(read).toMatchObject({ ok: false, kind: 'unavailable', outcome: 'not-applied' });
  });
});
