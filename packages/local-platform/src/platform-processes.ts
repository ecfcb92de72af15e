import { join } from 'node:path';
import {
  type Addressing,
  type AppEnvironments,
  type AppSecret,
  appEnvironment,
  definedVariables,
} from '@homelab/app-environment';
import { type ApiImplementation, apps, canaryGate, http, local } from '@homelab/platform';
import { hashSync } from '@node-rs/argon2';
import type { LocalSecrets } from './secrets.ts';
import type { ProcessSpec } from './supervisor.ts';

export interface LocalPlatformOptions {
  /** The repository root (where apps/ lives). */
  readonly root: string;
  /** Absolute data directory; kept across runs. */
  readonly dataDir: string;
  readonly secrets: LocalSecrets;
  /** SHA-256 of the demo API key, as the gateway stores keys. */
  readonly demoApiKeyHash: string;
  readonly demoIdentity: string;
  readonly databaseUrl?: string;
  readonly redisUrl?: string;
  /** Start a second API as a canary taking this share of traffic (percent); undefined: no canary. */
  readonly canaryWeight?: number;
  /** The stable API's implementation (ADR 0135). Default 'ts'. */
  readonly apiImplementation?: ApiImplementation;
  /** The canary API's implementation. Default: the stable one's. */
  readonly canaryImplementation?: ApiImplementation;
  /** The built Go API binary; required when either implementation is 'go' (`goApiBinary()` of @homelab/api-go). */
  readonly goApiBinary?: string;
  /** Prometheus' URL when one runs, for the web app's status page. */
  readonly prometheusUrl?: string;
  /** Added to every port, so a test can run beside a developer's platform. Default 0. */
  readonly portOffset?: number;
  readonly logLevel?: string;
}

export interface LocalPorts {
  readonly web: number;
  readonly gateway: number;
  readonly api: number;
  readonly canaryApi: number;
  readonly prometheus: number;
  /** The shared embedded PostgreSQL of `--canary` (without --database-url). */
  readonly sharedDatabase: number;
}

export const localPorts = (offset = 0): LocalPorts => ({
  web: apps.web.port + offset,
  gateway: apps.gateway.port + offset,
  api: apps.api.port + offset,
  canaryApi: local.canaryApiPort + offset,
  prometheus: local.prometheusPort + offset,
  sharedDatabase: local.sharedDatabasePort + offset,
});

const loopback = (port: number) => `http://127.0.0.1:${port}`;

/** The process name of the shared database (`--canary` without `--database-url`). */
export const sharedDatabaseName = 'database';

/**
 * The api, (canary api,) gateway and web processes with the environment that wires them together. Embedded
 * defaults everywhere: PGlite under the data directory, in-memory cache and limiter, unless URLs are given.
 */
export function platformProcesses(options: LocalPlatformOptions): ProcessSpec[] {
  const ports = localPorts(options.portOffset);
  const { secrets, root } = options;
  const node = process.execPath;
  const canary = options.canaryWeight !== undefined;
  const stableImpl = options.apiImplementation ?? 'ts';
  const canaryImpl = options.canaryImplementation ?? stableImpl;
  const usesGo = stableImpl === 'go' || (canary && canaryImpl === 'go');
  if (usesGo && !options.goApiBinary) throw new Error('the Go API binary is required for --api-impl/--canary-impl go');
  const processes: ProcessSpec[] = [];
  // Stable and canary must read and write the same notes, as in the cluster. Without a PostgreSQL URL, one
  // embedded PostgreSQL serves both over the wire protocol, on the stable API's own PGlite directory, so the
  // notes are the same with and without --canary.
  // The Go API has no embedded database: it gets the same shared one.
  let databaseUrl = options.databaseUrl;
  if ((canary || usesGo) && !databaseUrl) {
    processes.push({
      name: sharedDatabaseName,
      command: node,
      args: [join(import.meta.dirname, 'shared-database-process.ts')],
      cwd: root,
      env: { PORT: String(ports.sharedDatabase), PGLITE_DATA_DIR: join(options.dataDir, 'api/pglite') },
      readyTcpPort: ports.sharedDatabase,
    });
    databaseUrl = `postgres://postgres@127.0.0.1:${ports.sharedDatabase}/postgres`;
  }
  const secretValues: Record<AppSecret, string | undefined> = {
    adminToken: secrets.adminToken,
    databaseUrl,
    apiKeys: `${options.demoIdentity}:${options.demoApiKeyHash}`,
    jwtSecret: secrets.jwtSecret,
    sessionSecret: secrets.sessionSecret,
    identityToken: secrets.identityTokenSecret,
    // The local Prometheus scrapes over loopback, which the gateway answers without a token (ADR 0122).
    metricsToken: undefined,
    // Only the hash reaches the web app. @node-rs/argon2's defaults are argon2id, 19 MiB, t=2, p=1 (OWASP's
    // first choice); the web app reads the parameters back from the PHC string when it verifies.
    webUsers: `${options.demoIdentity}:${hashSync(secrets.demoPassword)}`,
  };
  const addressing = (port: number, serviceVersion: string): Addressing => ({
    port,
    serviceVersion,
    apiUrl: loopback(ports.api),
    gatewayUrl: loopback(ports.gateway),
    webOrigin: `http://localhost:${ports.web}`,
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    ...(options.prometheusUrl ? { prometheusUrl: options.prometheusUrl } : {}),
    secret: (secret) => {
      const value = secretValues[secret];
      return value === undefined ? undefined : { value };
    },
  });
  // Every service gets the admin token locally: fault injection is on for drills.
  const common = {
    HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel ?? 'info',
    ADMIN_TOKEN: secrets.adminToken,
    FAULTS_ENABLED: 'true',
    GIT_COMMIT: 'local',
  } satisfies AppEnvironments['api'] & AppEnvironments['gateway'] & AppEnvironments['web'];
  const env = <A extends keyof AppEnvironments>(
    app: A,
    port: number,
    version: string,
    extra: AppEnvironments[A] = {},
  ): Record<string, string> =>
    definedVariables({ ...common, ...appEnvironment(app, addressing(port, version)), ...extra });
  const apiProcess = (
    name: string,
    port: number,
    version: string,
    after: string[],
    impl: ApiImplementation,
  ): ProcessSpec => ({
    name,
    command: impl === 'go' ? (options.goApiBinary as string) : node,
    args: impl === 'go' ? [] : [join(root, 'apps/api/src/main.ts')],
    cwd: root,
    env: env('api', port, version, {
      PGLITE_DATA_DIR: join(options.dataDir, 'api/pglite'),
      // Each API brings the schema up to its own newest version on start. Postgrator (apps/api migrate.ts) never
      // undoes a version this build has no files for, so a canary's newer, additive migration leaves the stable
      // API running on the same database (shared-database.test.ts restarts stable after one to hold that).
      ...(databaseUrl ? { MIGRATE_ON_START: 'true' } : {}),
    }),
    readyUrl: loopback(port) + http.paths.readiness,
    // The api container's limit fits the api only. Embedded PGlite runs the database inside the api process (WASM,
    // about 700 MiB RSS on a fresh data directory, measured; under 256Mi it never became ready): that process is not
    // the container, so it gets no limit. With a PostgreSQL URL (or the shared database) the limit applies.
    ...(databaseUrl ? { resources: apps.api.resources } : {}),
    ...(after.length > 0 ? { after } : {}),
  });
  const databaseFirst = processes.length > 0 ? [sharedDatabaseName] : [];
  processes.push(apiProcess('api', ports.api, 'stable', databaseFirst, stableImpl));
  if (canary) {
    // After the stable API, as the cluster runs the migration Job before a rollout: the canary's migrations (if
    // it has newer ones) then run against a schema the stable API has already brought up.
    processes.push(apiProcess('api-canary', ports.canaryApi, 'canary', [...databaseFirst, 'api'], canaryImpl));
  }
  processes.push({
    name: 'gateway',
    command: node,
    args: [join(root, 'apps/gateway/src/main.ts')],
    cwd: root,
    env: env('gateway', ports.gateway, 'local', {
      API_VERSION: 'stable',
      // `homelab deploy --synthetic` sends the gate's tagged load with the demo key: the tag counts for it alone.
      SYNTHETIC_IDENTITY: options.demoIdentity,
      ...(canary
        ? {
            CANARY_URL: loopback(ports.canaryApi),
            CANARY_VERSION: 'canary',
            CANARY_WEIGHT: String(options.canaryWeight),
          }
        : {}),
    }),
    readyUrl: loopback(ports.gateway) + http.paths.readiness,
    resources: apps.gateway.resources,
  });
  processes.push({
    name: 'web',
    command: node,
    args: ['--import', 'tsx', join(root, 'apps/web/src/main.ts')],
    cwd: join(root, 'apps/web'),
    env: env('web', ports.web, 'local', {
      METRICS_TARGETS: [
        `api=${loopback(ports.api)}`,
        `gateway=${loopback(ports.gateway)}`,
        `web=${loopback(ports.web)}`,
        ...(canary ? [`api-canary=${loopback(ports.canaryApi)}`] : []),
      ].join(','),
      DEPLOY_HISTORY_FILE: join(options.dataDir, canaryGate.history.localFile),
      // As on the gateway: only the demo identity's tag counts locally (web is public in the cluster, ADR 0130).
      SYNTHETIC_IDENTITY: options.demoIdentity,
    }),
    readyUrl: loopback(ports.web) + http.paths.readiness,
    resources: apps.web.resources,
  });
  return processes;
}
