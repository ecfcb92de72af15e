import { http } from '@homelab/platform';
import { Hono } from 'hono';
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
}

/**
 * `/healthz` says the process is alive (never checks dependencies: a database outage must not restart every pod),
 * `/readyz` says the dependencies are usable and the pod is not draining, `/metrics` is the app's registry.
 */
export function healthRoutes({ lifecycle, metrics, readiness, checkTimeoutMs = 2000 }: HealthRoutesOptions): Hono {
  const routes = new Hono();
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
  routes.get(http.paths.metrics, async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  );
  return routes;
}
