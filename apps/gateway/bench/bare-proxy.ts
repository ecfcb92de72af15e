/**
 * The floor for a proxy written in Node: node:http in front of the same undici Pool and `stream()` the gateway
 * uses, with no framework, no auth, no limiter, no metrics. The benchmark runs it beside the gateway so the table
 * shows what the gateway's features cost on top of Node itself.
 *
 *   node apps/gateway/bench/bare-proxy.ts <upstream-origin> <port>
 */
import { createServer } from 'node:http';
import { http } from '@homelab/platform';
import { type Dispatcher, Pool } from 'undici';

const [upstream, port] = [process.argv[2] as string, Number(process.argv[3])];
const idleMs = http.keepAlive.proxyIdleTimeoutSeconds * 1000;
const pool = new Pool(upstream, { connections: 64, keepAliveTimeout: idleMs, keepAliveMaxTimeout: idleMs });
const hopByHop = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding']);

createServer((req, res) => {
  const headers: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    if (!hopByHop.has(name)) headers.push(name, req.rawHeaders[i + 1] as string);
  }
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
