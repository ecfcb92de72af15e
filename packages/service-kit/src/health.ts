import type { IncomingMessage } from 'node:http';
import { http } from '@homelab/platform';
import { type Context, Hono } from 'hono';
import { bearerToken } from './admin-auth.ts';
import type { Lifecycle, ReadinessCheck } from './lifecycle.ts';
import type { ServiceMetrics } from './metrics.ts';
import { problem } from './problem.ts';
import { withTimeout } from './with-timeout.ts';

export interface HealthRoutesOptions {
  readonly lifecycle: Lifecycle;
  readonly metrics: ServiceMetrics;
  readonly readiness: readonly ReadinessCheck[];
  /** A check that has not answered within this many ms counts as failed. Default 2000. */
  readonly checkTimeoutMs?: number;
  /** Who may read `/metrics`. Default: anyone who reaches the port. */
  readonly metricsAccess?: MetricsAccess;
}

/**
 * `/metrics` for loopback callers, and for others only with `Authorization: Bearer <token>` (ADR 0122). Without a
 * token, loopback only. A request without a socket (`app.request()`, in-process) has no network peer and is let
 * through: nothing outside the process can make one.
 */
export interface MetricsAccess {
  /** METRICS_TOKEN: the bearer token of the scraper (a mounted Secret in the cluster). */
  readonly token?: string | undefined;
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped form: only this host's own processes. */
const loopbackPattern = /^(?:127\.|::ffff:127\.|::1$)/;

/** The peer's address as node:http saw it; undefined in-process. */
const peerAddress = (c: Context): string | undefined =>
  (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;

/** undefined when the caller may read the metrics, else the problem to answer. */
function metricsGuard(access: MetricsAccess): (c: Context) => Response | undefined {
  const withToken = access.token ? bearerToken(access.token, 'metrics') : undefined;
  return (c) => {
    const peer = peerAddress(c);
    if (c.env === undefined || peer === undefined || loopbackPattern.test(peer)) return undefined;
    if (withToken) return withToken(c);
    return problem(c, 403, 'Forbidden', 'metrics are readable from loopback only here: no METRICS_TOKEN is set');
  };
}

/**
 * `/healthz` says the process is alive (never checks dependencies: a database outage must not restart every pod),
 * `/readyz` says the dependencies are usable and the pod is not draining, `/metrics` is the app's registry.
 */
export function healthRoutes({
  lifecycle,
  metrics,
  readiness,
  checkTimeoutMs = 2000,
  metricsAccess,
}: HealthRoutesOptions): Hono {
  const routes = new Hono();
  const guard = metricsAccess ? metricsGuard(metricsAccess) : undefined;
  routes.get(http.paths.liveness, (c) => c.json({ status: 'ok' }));
  routes.get(http.paths.readiness, async (c) => {
    if (lifecycle.draining) return problem(c, 503, 'Service Unavailable', 'draining: shutting down');
    const results = await Promise.allSettled(
      readiness.map((check) =>
        // Through a promise, so a check that throws synchronously fails only itself.
        withTimeout(
          Promise.resolve().then(() => check.check()),
          checkTimeoutMs,
          new Error(`no answer within ${checkTimeoutMs} ms`),
        ),
      ),
    );
    const checks: Record<string, string> = {};
    let ready = true;
    results.forEach((result, i) => {
      const name = readiness[i]?.name ?? String(i);
      if (result.status === 'fulfilled') checks[name] = 'ok';
      else {
        ready = false;
        checks[name] = result.reason instanceof Error ? result.reason.message : 'failed';
      }
    });
    if (!ready) return problem(c, 503, 'Service Unavailable', 'a dependency is not usable', { checks });
    return c.json({ status: 'ready', checks });
  });
  routes.get(http.paths.metrics, async (c) => {
    const refusal = guard?.(c);
    if (refusal) return refusal;
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });
  return routes;
}
