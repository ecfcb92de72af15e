import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIdentitySigner, createIdentityVerifier, createLogger, createMetrics, serve } from '@homelab/service-kit';
import { SignJWT } from 'jose';
import { createApp, type GatewayDeps } from '../app.ts';
import { createApiKeyVerifier, hashApiKey } from '../auth/api-keys.ts';
import { createJwtVerifier } from '../auth/jwt-verifier.ts';
import { createMemoryRateLimiter } from '../rate-limit/token-bucket.ts';
import type { UpstreamSpec } from '../upstreams/weighted-upstreams.ts';

/** A stand-in API that reports what it received, and can be told to be slow or to fail. */
export interface StubUpstream {
  readonly url: string;
  hits: number;
  mode: 'ok' | 'fail' | 'slow' | 'down-once';
  /** Answers 500 to the requests it matches, whatever the mode (a caller who found a request the API fails on). */
  failWhen?: ((req: IncomingMessage) => boolean) | undefined;
  close(): Promise<void>;
}

/** An HTTP server on a loopback port for a test's own upstream behaviour; `close` also ends open connections. */
export async function startUpstream(handler: RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startStub(name: string): Promise<StubUpstream> {
  const stub: StubUpstream = { url: '', hits: 0, mode: 'ok', close: async () => undefined };
  const upstream = await startUpstream((req: IncomingMessage, res) => {
    stub.hits += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (stub.mode === 'fail' || stub.failWhen?.(req)) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
        return;
      }
      if (stub.mode === 'down-once') {
        stub.mode = 'ok';
        res.writeHead(503).end();
        return;
      }
      const answer = () =>
        res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name, connection: 'keep-alive' }).end(
          JSON.stringify({
            upstream: name,
            method: req.method,
            url: req.url,
            headers: req.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      if (stub.mode === 'slow') setTimeout(answer, 1_000);
      else answer();
    });
  });
  return Object.assign(stub, upstream);
}

export interface Echo {
  url: string;
  body: string;
  headers: Record<string, string | undefined>;
}
export interface Problem {
  title: string;
  detail: string;
}
export const echo = async (res: Response) => (await res.json()) as Echo;
export const problemOf = async (res: Response) => (await res.json()) as Problem;

export const jwtSecret = randomBytes(32);
export const identitySecret = randomBytes(32);
/** What the API does with the identity header: the identity its token names, or undefined. */
export const verifyIdentity = createIdentityVerifier({ secret: identitySecret });
export const apiKey = randomBytes(32).toString('base64url');
/** Keys of further identities (`user-0` ...), for what takes more than one caller (the breaker). */
export const userKeys = Array.from({ length: 6 }, () => randomBytes(32).toString('base64url'));
export const adminToken = randomBytes(24).toString('hex');
export const sign = (alg = 'HS256', key: Uint8Array = jwtSecret, exp: string | number = '5m', sub = 'alice') =>
  new SignJWT({})
    .setProtectedHeader({ alg })
    .setSubject(sub)
    .setIssuer('homelab')
    .setAudience('homelab-api')
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key);

export async function startGateway(upstreams: UpstreamSpec[], overrides: Partial<GatewayDeps> = {}) {
  const logger = createLogger({ service: 'gateway', version: 'test', level: 'silent' });
  const metrics = createMetrics({ service: 'gateway', version: 'test', commit: 'test' });
  const gateway = createApp({
    logger,
    metrics,
    upstreams,
    verifyApiKey: createApiKeyVerifier([
      { identity: 'alice', sha256: hashApiKey(apiKey) },
      ...userKeys.map((key, i) => ({ identity: `user-${i}`, sha256: hashApiKey(key) })),
    ]),
    verifyJwt: createJwtVerifier({ secret: jwtSecret, issuer: 'homelab', audience: 'homelab-api' }),
    limiter: createMemoryRateLimiter({ capacity: 10_000, refillPerSecond: 10_000 }),
    signIdentity: createIdentitySigner({ secret: identitySecret }),
    adminToken,
    webOrigin: 'http://localhost:3000',
    timeoutMs: 300,
    // A small volume so a test can open it; the per-identity share as in production.
    breaker: { minimumRequests: 10, windowMs: 5_000, openMs: 500 },
    ...overrides,
  });
  const server = await serve({
    app: gateway.app,
    port: 0,
    host: '127.0.0.1',
    logger,
    lifecycle: gateway.lifecycle,
    handleSignals: false,
    lingerMs: 0,
  });
  return { ...gateway, server, metrics };
}
