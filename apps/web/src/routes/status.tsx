/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import type { Sessions } from '../session.ts';
import type { PlatformStatus } from '../status/slo-status.ts';
import { StatusPage } from '../views/status.tsx';

/** `GET /status`: every service's SLOs, error ratio, budget left and the canary, for anyone (no sign-in). */
export function statusRoutes(options: { readStatus: () => Promise<PlatformStatus>; sessions: Sessions }): Hono {
  return new Hono().get('/status', async (c) => {
    const status = await options.readStatus();
    return c.html(<StatusPage status={status} identity={await options.sessions.identity(c)} />);
  });
}
