import { createServer, type IncomingHttpHeaders, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientGone, forwardResponse } from './forward-response.ts';

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const forwardHead = (status: number, headers: IncomingHttpHeaders, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': headers['content-type'] ?? 'text/plain' });
  return true;
};

describe('forwardResponse', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /** An upstream, a pool to it, and a front server whose handler is `handle`. */
  async function setUp(
    upstream: Parameters<typeof createServer>[1],
    handle: (res: ServerResponse, pool: Pool) => void,
  ) {
    const up = createServer(upstream);
    const pool = new Pool(await listen(up));
    const front = createServer((_req, res) => handle(res, pool));
    const frontUrl = await listen(front);
    cleanups.push(
      () => pool.close(),
      () => {
        up.closeAllConnections();
        up.close();
      },
      () => {
        front.closeAllConnections();
        front.close();
      },
    );
    return frontUrl;
  }

  it('streams a body larger than the socket buffers intact to a slow reader (back-pressure)', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let outcome: Promise<number> | undefined;
    const url = await setUp(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let i = 0; i < 128; i++) res.write(chunk);
        res.end();
      },
      (res, pool) => {
        outcome = forwardResponse(pool, { path: '/', method: 'GET', headers: [] }, res, forwardHead, res);
      },
    );
    const res = await fetch(url);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let total = 0;
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      total += part.value.byteLength;
      // A reader slower than the upstream: the proxy must pause the upstream, not buffer or drop.
      if (total % (1024 * 1024) < part.value.byteLength) await new Promise((r) => setTimeout(r, 5));
    }
    expect(total).toBe(128 * chunk.byteLength);
    expect(await outcome).toBe(200);
  });

  it('drops the body when the head is refused (a retry) and resolves with the status', async () => {
    let outcome: Promise<number> | undefined;
    const url = await setUp(
      (_req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('busy'),
      (res, pool) => {
        outcome = forwardResponse(pool, { path: '/', method: 'GET', headers: [] }, res, () => false, res);
        void outcome.then(() => res.writeHead(200).end('from the retry'));
      },
    );
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('from the retry');
    expect(await outcome).toBe(503);
  });

  it('aborts the upstream request and rejects with ClientGone when the client goes away mid-answer', async () => {
    let upstreamClosed: () => void = () => undefined;
    const upstreamSawClose = new Promise<void>((r) => {
      upstreamClosed = r;
    });
    let outcome: Promise<number> | undefined;
    const url = await setUp(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        // Keeps writing until the proxy gives up on it.
        const timer = setInterval(() => res.write(Buffer.alloc(64 * 1024, 'y')), 1);
        res.on('close', () => {
          clearInterval(timer);
          upstreamClosed();
        });
      },
      (res, pool) => {
        outcome = forwardResponse(pool, { path: '/', method: 'GET', headers: [] }, res, forwardHead, res);
      },
    );
    await new Promise<void>((resolve) => {
      const req = request(url, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.end();
    });
    await expect(outcome).rejects.toBeInstanceOf(ClientGone);
    await upstreamSawClose;
  });
});
