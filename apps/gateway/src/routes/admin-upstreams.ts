import { adminBearer } from '@homelab/service-kit';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { Upstream } from '../upstreams/upstream.ts';
import type { WeightedUpstreams } from '../upstreams/weighted-upstreams.ts';

export interface AdminUpstreamsOptions {
  /** Route name -> its upstreams. */
  readonly routes: Readonly<Record<string, WeightedUpstreams<Upstream>>>;
  /** Absent: the endpoint answers 404, as the fault endpoints do when disabled. */
  readonly adminToken: string | undefined;
  readonly onChange: (route: string, weights: Record<string, number>) => void;
  readonly problem: (c: Context, status: 400 | 401 | 404, title: string, detail?: string) => Response;
}

const weightsBody = z.strictObject({ weights: z.record(z.string(), z.number().min(0).max(100)) });

/**
 * `GET /admin/upstreams` lists routes, upstreams, versions, weights and breaker states; `PUT
 * /admin/upstreams/:route` with `{ "weights": { "stable": 90, "canary": 10 } }` shifts traffic at run time.
 * Requests already in flight keep the upstream they picked, so a change drops nothing.
 */
export function adminUpstreams(options: AdminUpstreamsOptions): Hono {
  const { routes, adminToken, problem } = options;
  const requireAdmin = adminToken ? adminBearer(adminToken) : undefined;
  const app = new Hono();
  app.use(async (c, next) => {
    if (!requireAdmin) return problem(c, 404, 'Not Found', 'admin endpoints are disabled: no ADMIN_TOKEN');
    const refusal = requireAdmin(c);
    if (refusal) return refusal;
    await next();
  });
  const describe = () =>
    Object.fromEntries(
      Object.entries(routes).map(([name, group]) => [
        name,
        group.all.map((u) => ({
          name: u.spec.name,
          url: u.spec.url,
          version: u.spec.version,
          weight: group.weights()[u.spec.name] ?? 0,
          breaker: u.breaker.state,
        })),
      ]),
    );
  app.get('/', (c) => c.json(describe()));
  app.put('/:route', async (c) => {
    const group = routes[c.req.param('route')];
    if (!group) return problem(c, 404, 'Not Found', `no route "${c.req.param('route')}"`);
    const parsed = weightsBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return problem(c, 400, 'Bad Request', 'body must be { "weights": { "<upstream>": 0-100 } }');
    try {
      group.setWeights(parsed.data.weights);
    } catch (error) {
      return problem(c, 400, 'Bad Request', (error as Error).message);
    }
    options.onChange(c.req.param('route'), group.weights());
    return c.json(describe());
  });
  return app;
}
