/**
 * The other half of proxy.ts's same-work check: the rows' answers prove what the client gets, this proves what the
 * API gets. A recording upstream answers every request with the sorted names of the headers it received; the
 * benchmark sends one request through each proxy pointed at it and compares the name sets with the gateway's
 * (`receivedHeaderProblems`). Without it a reference that stopped sending `traceparent` or the request id, or
 * forwarded a hop-by-hop header, would still get the API's 200 and the same bytes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '@homelab/platform';
import { rawRequest } from '@homelab/test-servers';
import { dropOnRequest } from '../src/proxy/headers.ts';

/** Set by the client pool or the connection, not by the proxy's rules: left out of the comparison. */
const transport = new Set(['host', 'connection', 'content-length']);

export interface HeaderRecorder {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** node:http on loopback answering `{"headers": [sorted lower-case names]}` (200) to every request. */
export async function startHeaderRecorder(): Promise<HeaderRecorder> {
  const server = createServer((req, res) => {
    const names = [...new Set(Object.keys(req.headers))].filter((n) => !transport.has(n)).sort();
    const body = JSON.stringify({ headers: names });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A value for every name the gateway drops that a client can send: hop-by-hop headers, credentials, and the ones
 * the proxy must set itself. Left out: host and the framing headers (connection, transfer-encoding), which the
 * raw request sets, and names listed in Connection, which nginx cannot drop (the load sends none).
 */
export function headersTheGatewayDrops(): Record<string, string> {
  const values: Record<string, string> = {
    'proxy-authorization': 'Basic eDp4',
    authorization: 'Basic eDp4',
    cookie: 'session=client',
    te: 'trailers',
    upgrade: 'h2c',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };
  const out: Record<string, string> = {};
  for (const name of dropOnRequest) {
    if (name === 'host' || name === 'connection' || name === 'transfer-encoding') continue;
    out[name] = values[name] ?? 'from-the-client';
  }
  return out;
}

/**
 * The header names the upstream received for one GET through `url` with `headers` (the row's own benchmark
 * headers win over the dropped ones it shares a name with: nginx's row forwards the client's identity token).
 */
export async function receivedThrough(url: string, headers: Record<string, string>): Promise<string[]> {
  const { host, pathname } = new URL(url);
  const all = { ...headersTheGatewayDrops(), ...headers };
  const head = [
    `GET ${pathname} HTTP/1.1`,
    `host: ${host}`,
    'connection: keep-alive',
    // Ordinary end-to-end headers, which every proxy must pass on.
    'accept: application/json',
    'user-agent: bench-header-probe',
    ...Object.entries(all).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  const { status, text } = await rawRequest(url, { head, withBody: true, waitMs: 10_000 });
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  if (status !== 200)
    throw new Error(`${url} answered ${status ?? 'nothing'} to the header probe: ${body.slice(0, 200)}`);
  return (JSON.parse(body) as { headers: string[] }).headers;
}

/**
 * The gateway's dropped names nginx must blank with `proxy_set_header <name> ""`: all but the ones it drops or
 * sets by default (host, the framing headers, te, keep-alive, upgrade), the identity token (nginx cannot sign
 * HS256, so it forwards the client's) and `sets`, the names its configuration sets itself.
 */
export const nginxBlanks = (sets: readonly string[]): string[] =>
  [...dropOnRequest].filter(
    (n) =>
      !['host', 'connection', 'transfer-encoding', 'te', 'keep-alive', 'upgrade', http.identityHeader].includes(n) &&
      !sets.includes(n),
  );
