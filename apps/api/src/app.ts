import { apps } from '@homelab/platform';
import {
  createIdentityVerifier,
  createServiceApp,
  type Lifecycle,
  type Logger,
  type ServiceMetrics,
} from '@homelab/service-kit';
import { createApiMetrics } from './api-metrics.ts';
import type { NoteCache } from './cache/note-cache.ts';
import { createNotesRepository } from './notes/notes-repository.ts';
import { notesRoutes } from './routes/notes.ts';
import type { SqlClient } from './storage/sql-client.ts';

export interface ApiDeps {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly db: SqlClient;
  /** Build it with the counters from `createApiMetrics(metrics)` (cache_errors_total). */
  readonly cache: NoteCache;
  /** The key the gateway signs identity tokens with (IDENTITY_TOKEN_SECRET, at least 32 bytes). */
  readonly identitySecret: string;
  readonly apiMetrics?: ReturnType<typeof createApiMetrics>;
  /** Default: faults disabled. */
  readonly faults?: { readonly enabled: boolean; readonly adminToken?: string | undefined };
  /** Default 10 000. */
  readonly maxNotesPerOwner?: number;
  /** Default true; off only for the benchmark's overhead measurement. */
  readonly accessLog?: boolean;
  readonly requestMetrics?: boolean;
  readonly lifecycle?: Lifecycle;
  readonly now?: () => Date;
}

/**
 * The notes API without a port: the service kit's app (probes, metrics, problems, faults) plus the notes routes.
 * Closing the database and cache is registered as shutdown hooks, so `serve()` drains first, then closes them.
 */
export function createApp(deps: ApiDeps) {
  const apiMetrics = deps.apiMetrics ?? createApiMetrics(deps.metrics);
  const kit = createServiceApp({
    service: apps.api.name,
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: [{ name: 'database', check: () => deps.db.ping() }],
    ...(deps.faults ? { faults: deps.faults } : {}),
    ...(deps.lifecycle ? { lifecycle: deps.lifecycle } : {}),
    accessLog: deps.accessLog ?? true,
    requestMetrics: deps.requestMetrics ?? true,
  });
  const repository = createNotesRepository(deps.db, { maxNotesPerOwner: deps.maxNotesPerOwner ?? 10_000 });
  kit.app.route(
    '/',
    notesRoutes({
      repository,
      cache: deps.cache,
      apiMetrics,
      verifyIdentity: createIdentityVerifier({ secret: deps.identitySecret }),
      ...(deps.now ? { now: deps.now } : {}),
    }),
  );
  kit.lifecycle.onShutdown(() => deps.db.close());
  kit.lifecycle.onShutdown(() => deps.cache.close());
  return { ...kit, apiMetrics };
}
