import type { Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { http, shutdown } from '@homelab/platform';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Lifecycle } from './lifecycle.ts';
import { presettableResponseClass } from './response-headers.ts';

export interface ServeOptions {
  readonly app: Hono;
  /** 0 picks a free port (returned). */
  readonly port: number;
  /** Default 0.0.0.0. */
  readonly host?: string;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  /** Whole drain budget; leftovers are force-closed when it ends. Default `shutdown.drainSeconds` (platform). */
  readonly drainMs?: number;
  /**
   * How long the server keeps accepting new connections after the signal, answering with `Connection: close`.
   * In Kubernetes the preStop sleep already covered endpoint removal; this catches clients that were mid-way.
   * Default 1000.
   */
  readonly lingerMs?: number;
  /** Default true: SIGTERM and SIGINT drain and then exit 0. */
  readonly handleSignals?: boolean;
}

export interface RunningServer {
  readonly server: Server;
  /** http://127.0.0.1:<port> when bound to all interfaces. */
  readonly url: string;
  readonly port: number;
  /** Drains like SIGTERM does, without exiting the process. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the app on @hono/node-server with the platform's keep-alive ordering (proxy idle < keepAliveTimeout <
 * headersTimeout) and graceful shutdown: readiness 503, keep serving with `Connection: close` for `lingerMs`,
 * stop accepting, let in-flight requests finish, run the shutdown hooks (pools), force-close what remains before
 * `drainMs`, exit 0.
 */
export async function serve({
  app,
  port,
  host = '0.0.0.0',
  logger,
  lifecycle,
  drainMs = shutdown.drainSeconds * 1000,
  lingerMs = 1000,
  handleSignals = true,
}: ServeOptions): Promise<RunningServer> {
  const server = createAdaptorServer({
    fetch: app.fetch,
    serverOptions: {
      keepAliveTimeout: http.keepAlive.serverKeepAliveTimeoutMs,
      headersTimeout: http.keepAlive.serverHeadersTimeoutMs,
      // Sends the front door's preset headers, and `Connection: close` on every answer started after the drain
      // began (in-flight ones included), so no client reuses a socket that is about to close.
      ServerResponse: presettableResponseClass(() => lifecycle.draining),
    },
  }) as Server;
  server.keepAliveTimeout = http.keepAlive.serverKeepAliveTimeoutMs;
  server.headersTimeout = http.keepAlive.serverHeadersTimeoutMs;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${actualPort}`;
  logger.info({ url, port: actualPort }, 'listening');

  let closing: Promise<void> | undefined;
  const drain = async (reason: string) => {
    const started = Date.now();
    lifecycle.beginDrain();
    logger.info({ reason, lingerMs, drainMs }, 'draining');
    await sleep(Math.min(lingerMs, drainMs / 2));
    // Stop accepting with net.Server#close: http.Server#close would also end every connection without an active
    // request at once, including one accepted a moment ago whose request bytes are still on the way (the client
    // would see ECONNRESET). Idle sockets are ended shortly after instead, and every busy socket ends after its
    // response, which was marked Connection: close.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
    const reaper = setInterval(() => server.closeIdleConnections(), 100);
    const budget = Math.max(0, drainMs - (Date.now() - started) - 500);
    const forced = await Promise.race([closed.then(() => false), sleep(budget).then(() => true)]);
    clearInterval(reaper);
    if (forced) {
      logger.warn('drain budget spent: closing remaining connections');
      server.closeAllConnections();
      await closed;
    }
    const errors = await lifecycle.runShutdownHooks();
    for (const error of errors) logger.error({ err: error }, 'shutdown hook failed');
    logger.info({ ms: Date.now() - started }, 'stopped');
    logger.flush();
  };
  const close = () => {
    closing ??= drain('close()');
    return closing;
  };

  if (handleSignals) {
    const onSignal = (signal: NodeJS.Signals) => {
      if (closing) return;
      closing = drain(signal);
      closing.then(
        () => process.exit(0),
        (error: unknown) => {
          logger.fatal({ err: error }, 'shutdown failed');
          logger.flush();
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { server, url, port: actualPort, close };
}
