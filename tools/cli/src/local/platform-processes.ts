import { join } from 'node:path';
import { apps, http, local } from '@homelab/platform';
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
}

export const localPorts = (offset = 0): LocalPorts => ({
  web: apps.web.port + offset,
  gateway: apps.gateway.port + offset,
  api: apps.api.port + offset,
  canaryApi: local.canaryApiPort + offset,
  prometheus: local.prometheusPort + offset,
});

const loopback = (port: number) => `http://127.0.0.1:${port}`;

/**
 * The api, (canary api,) gateway and web processes with the environment that wires them together. Embedded
 * defaults everywhere: PGlite under the data directory, in-memory cache and limiter, unless URLs are given.
 */
export function platformProcesses(options: LocalPlatformOptions): ProcessSpec[] {
  const ports = localPorts(options.portOffset);
  const { secrets, root } = options;
  const common = {
    HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel ?? 'info',
    ADMIN_TOKEN: secrets.adminToken,
    FAULTS_ENABLED: 'true',
    GIT_COMMIT: 'local',
  };
  const node = process.execPath;
  const apiProcess = (name: string, port: number, version: string, pgliteDir: string): ProcessSpec => ({
    name,
    command: node,
    args: [join(root, 'apps/api/src/main.ts')],
    cwd: root,
    env: {
      ...common,
      PORT: String(port),
      SERVICE_VERSION: version,
      PGLITE_DATA_DIR: pgliteDir,
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl, MIGRATE_ON_START: 'true' } : {}),
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    },
    readyUrl: loopback(port) + http.paths.readiness,
    // The api container's limit fits the api only. PGlite runs the database inside the process (WASM, about
    // 700 MiB RSS on a fresh data directory, measured): that process is not the container, so no limit for it.
    ...(options.databaseUrl ? { resources: apps.api.resources } : {}),
  });
  const processes: ProcessSpec[] = [apiProcess('api', ports.api, 'stable', join(options.dataDir, 'api/pglite'))];
  const canary = options.canaryWeight !== undefined;
  if (canary) {
    // PGlite is one process per directory: without a shared PostgreSQL the canary keeps its own notes.
    processes.push(apiProcess('api-canary', ports.canaryApi, 'canary', join(options.dataDir, 'api-canary/pglite')));
  }
  processes.push({
    name: 'gateway',
    command: node,
    args: [join(root, 'apps/gateway/src/main.ts')],
    cwd: root,
    env: {
      ...common,
      PORT: String(ports.gateway),
      SERVICE_VERSION: 'local',
      API_URL: loopback(ports.api),
      API_VERSION: 'stable',
      ...(canary
        ? {
            CANARY_URL: loopback(ports.canaryApi),
            CANARY_VERSION: 'canary',
            CANARY_WEIGHT: String(options.canaryWeight),
          }
        : {}),
      API_KEYS: `${options.demoIdentity}:${options.demoApiKeyHash}`,
      JWT_SECRET: secrets.jwtSecret,
      WEB_ORIGIN: `http://localhost:${ports.web}`,
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    },
    readyUrl: loopback(ports.gateway) + http.paths.readiness,
    resources: apps.gateway.resources,
  });
  processes.push({
    name: 'web',
    command: node,
    args: ['--import', 'tsx', join(root, 'apps/web/src/main.ts')],
    cwd: join(root, 'apps/web'),
    env: {
      ...common,
      PORT: String(ports.web),
      SERVICE_VERSION: 'local',
      GATEWAY_URL: loopback(ports.gateway),
      JWT_SECRET: secrets.jwtSecret,
      SESSION_SECRET: secrets.sessionSecret,
      METRICS_TARGETS: [
        `api=${loopback(ports.api)}`,
        `gateway=${loopback(ports.gateway)}`,
        `web=${loopback(ports.web)}`,
        ...(canary ? [`api-canary=${loopback(ports.canaryApi)}`] : []),
      ].join(','),
      ...(options.prometheusUrl ? { PROMETHEUS_URL: options.prometheusUrl } : {}),
    },
    readyUrl: loopback(ports.web) + http.paths.readiness,
    resources: apps.web.resources,
  });
  return processes;
}
