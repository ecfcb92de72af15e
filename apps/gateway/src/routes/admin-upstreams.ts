import { adminBearer } from '@homelab/service-kit';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { Upstream } from '../upstreams/upstream.ts';
import type { WeightedUpstreams } from '../upstreams/weighted-upstreams.ts';

export interface AdminUpstreamsOptions {
  /** Route name -> its upstreams. A Map: a name from the URL must never find an inherited property. */
  readonly routes: ReadonlyMap<string, WeightedUpstreams<Upstream>>;
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
      [...routes].map(([name, group]) => [
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
    const group = routes.get(c.req.param('route'));
    if (!group) return problem(c, 404, 'Not Found', `no route "${c.req.param('route')}"`);
    const body: unknown = await c.req.json().catch(() => undefined);
    const parsed = weightsBody.safeParse(body);
    if (!parsed.success) return problem(c, 400, 'Bad Request', 'body must be { "weights": { "<upstream>": 0-100 } }');
    try {
      // The names as sent: zod's record copies each key into a fresh object, where `__proto__` (an own key after
      // JSON.parse) sets the prototype instead, so that weight vanished and the change answered 200 doing
      // nothing. The body's own keys keep it, and setWeights refuses it as the unknown name it is.
      group.setWeights(Object.fromEntries(Object.entries((body as z.infer<typeof weightsBody>).weights)));
    } catch (error) {
      return problem(c, 400, 'Bad Request', (error as Error).message);
    }
    options.onChange(c.req.param('route'), group.weights());
    return c.json(describe());
  });
  return app;
}
