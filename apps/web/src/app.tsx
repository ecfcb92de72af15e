import { canaryGate } from '@homelab/platform';
import { createServiceApp, type Lifecycle, type Logger, type ServiceMetrics } from '@homelab/service-kit';
import type { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import type { GatewayClient } from './gateway-client.ts';
import { assetRoutes } from './routes/assets.ts';
import { deploysRoutes } from './routes/deploys.tsx';
import { notesRoutes } from './routes/notes.tsx';
import { statusRoutes } from './routes/status.tsx';
import type { Sessions } from './session.ts';
import type { PlatformStatus } from './status/slo-status.ts';
import { isSynthetic } from './synthetic.ts';
import type { UserDirectory } from './users.ts';

export interface WebDeps {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly gateway: GatewayClient;
  readonly sessions: Sessions;
  readonly users: UserDirectory;
  readonly readStatus: () => Promise<PlatformStatus>;
  /** The canary deploy history (`homelab deploy`, JSON lines) shown at /deploys; unset: none. */
  readonly deployHistoryFile?: string | undefined;
  readonly faults?: { readonly enabled: boolean; readonly adminToken?: string | undefined };
  /**
   * The signed-in identity whose `x-homelab-synthetic` tag counts (SYNTHETIC_IDENTITY; default
   * `canaryGate.synthetic.identity`). Anyone else's tag, signed in or not, is user traffic (ADR 0130).
   */
  readonly syntheticIdentity?: string;
}

/** Same-origin everything; inline scripts and styles refused, so injected markup cannot run. */
const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/** Builds the web app without opening a port. */
export function createApp(deps: WebDeps): { app: Hono; lifecycle: Lifecycle } {
  const { app, lifecycle } = createServiceApp({
    service: 'web',
    logger: deps.logger,
    metrics: deps.metrics,
    ...(deps.faults ? { faults: deps.faults } : {}),
    // Web is public without the gateway in front: the tag counts only for the load-test identity's session.
    isSynthetic,
  });
  app.use(async (c, next) => {
    c.header('content-security-policy', contentSecurityPolicy);
    await next();
  });
  // Form posts must come from this origin (Origin or Sec-Fetch-Site); the SameSite cookie is the second line.
  app.use(csrf());
  app.route('/', assetRoutes);
  app.route('/', statusRoutes({ readStatus: deps.readStatus, sessions: deps.sessions }));
  app.route('/', deploysRoutes({ historyFile: deps.deployHistoryFile, sessions: deps.sessions }));
  app.route(
    '/',
    notesRoutes({
      gateway: deps.gateway,
      sessions: deps.sessions,
      users: deps.users,
      syntheticIdentity: deps.syntheticIdentity ?? canaryGate.synthetic.identity,
    }),
  );
  return { app, lifecycle };
}
