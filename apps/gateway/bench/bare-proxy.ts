/**
 * The floor for a proxy written in Node: node:http in front of the same undici Pool and `stream()` the gateway
 * uses, with no framework, no auth, no limiter, no metrics. It sends the API exactly the request the gateway sends
 * (apps/gateway/src/proxy/headers.ts, whose drop list it imports): the client's headers minus hop-by-hop ones (and
 * the names listed in Connection) and credentials, plus a signed
 * identity token (the same signer, one token per identity reused for half its life; ADR 0071), a request id and
 * `traceparent` (the kit's `requestTrace`), `x-forwarded-for` and `x-forwarded-proto`. Without an API key to
 * authenticate, every request is the identity `bench`. The benchmark runs it beside the gateway so the table shows
 * what the gateway's features cost on top of Node itself.
 *
 *   node apps/gateway/bench/bare-proxy.ts <upstream-origin> <port> <identity-token-secret>
 */
import { createServer } from 'node:http';
import { http } from '@homelab/platform';
import { createIdentitySigner, requestTrace } from '@homelab/service-kit';
import { type Dispatcher, Pool } from 'undici';
// What the gateway drops from a client's request (hop-by-hop, credentials, the fields it sets itself): its own list.
import { connectionListed, dropOnRequest } from '../src/proxy/headers.ts';

const [upstream, port, secret] = [process.argv[2] as string, Number(process.argv[3]), process.argv[4] as string];
const idleMs = http.keepAlive.proxyIdleTimeoutSeconds * 1000;
const pool = new Pool(upstream, { connections: 64, keepAliveTimeout: idleMs, keepAliveMaxTimeout: idleMs });
const sign = createIdentitySigner({ secret });
const identity = 'bench';

createServer(async (req, res) => {
  const headers: string[] = [];
  // Names listed in Connection are hop-by-hop too: dropped in a second pass, as the gateway does.
  let listed: Set<string> | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    if (name === 'connection') listed = connectionListed(req.rawHeaders[i + 1]);
    else if (!dropOnRequest.has(name)) headers.push(name, req.rawHeaders[i + 1] as string);
  }
  const hop = listed;
  if (hop) {
    const kept = headers.filter((_, i) => !hop.has(headers[i - (i % 2)] as string));
    headers.length = 0;
    headers.push(...kept);
  }
  const trace = requestTrace(undefined, undefined);
  headers.push(
    http.identityHeader,
    await sign(identity),
    http.requestIdHeader,
    trace.requestId,
    'traceparent',
    trace.traceparent,
    'x-forwarded-for',
    req.socket.remoteAddress ?? '',
    'x-forwarded-proto',
    'http',
  );
  pool
    .stream(
      { path: req.url as string, method: req.method as Dispatcher.HttpMethod, headers },
      ({ statusCode, headers: h }) => {
        delete h.connection;
        delete h['keep-alive'];
        res.writeHead(statusCode, h);
        return res;
      },
    )
    .catch(() => res.destroy());
}).listen(port, '127.0.0.1');
// Exit through process.exit, so `--cpu-prof` (BENCH_PROFILE) writes its profile: a signal's default action does not.
process.on('SIGTERM', () => process.exit(0));
