import { type AppEnvironments, type AppSecret, appEnvironment, definedVariables } from '@homelab/app-environment';
import {
  type ApiImplementation,
  type AppName,
  apiImage,
  apiImplementations,
  appImage,
  appImages,
  apps,
  data,
  dataWorkloads,
  imageUser,
  type Resources,
  redisServerArgs,
  versions,
} from '@homelab/platform';
import { stringify } from 'yaml';

/**
 * compose.yaml, generated from packages/platform (ADR 0113): the same images, ports, resources and wiring as the
 * cluster, for `docker compose up` at home or podman-compose here. Two networks: `edge` (web, gateway) and `data`
 * (gateway, api, PostgreSQL, Redis, exporters); web has no route to the data tier. Only web and the gateway publish
 * a port, on 127.0.0.1. Secrets come from a `.env` file beside compose.yaml (see docs/compose.md).
 */

/** The generated files, at the repository root: the platform, and the override that puts the Go API in it. */
export const composeFiles = { base: 'compose.yaml', apiGo: 'compose.api-go.yaml' } as const;

/** The variables `.env` must set, one per secret the apps and PostgreSQL take. */
export const composeSecrets = {
  adminToken: 'ADMIN_TOKEN',
  apiKeys: 'API_KEYS',
  jwtSecret: 'JWT_SECRET',
  sessionSecret: 'SESSION_SECRET',
  identityToken: 'IDENTITY_TOKEN_SECRET',
  webUsers: 'WEB_USERS',
  postgresPassword: 'POSTGRES_PASSWORD',
} as const;

const variable = (name: string) => `\${${name}}`;
/**
 * The data tier's images: the upstream ones pinned in versions.json unless overridden (`POSTGRES_IMAGE=...` in
 * .env); the test here sets the ones built from Debian's packages (localImages), which take the same variables.
 */
export const composeImageVariables = {
  postgres: 'POSTGRES_IMAGE',
  redis: 'REDIS_IMAGE',
  postgresExporter: 'POSTGRES_EXPORTER_IMAGE',
  redisExporter: 'REDIS_EXPORTER_IMAGE',
} as const;
const dataImage = (name: keyof typeof composeImageVariables) =>
  `\${${composeImageVariables[name]}:-${versions.images[name]}}`;
const service = (name: string) => name;
const postgresUrl = `postgres://${data.postgres.user}:${variable(composeSecrets.postgresPassword)}@${service('postgres')}:${data.postgres.port}/${data.postgres.database}`;
const redisUrl = `redis://${service('redis')}:${data.redis.port}`;

/** The host port (on 127.0.0.1 only) of a public app: its own port unless `.env` sets WEB_PORT / GATEWAY_PORT. */
export const publishedPortVariables = { web: 'WEB_PORT', gateway: 'GATEWAY_PORT' } as const;
const publishedPort = (app: keyof typeof publishedPortVariables) =>
  `\${${publishedPortVariables[app]}:-${apps[app].port}}`;

/** Kubernetes quantities to compose's: `256Mi` -> `256m`, `50m` CPU -> 51 of 1024 shares (a weight, no cap). */
const memory = (quantity: string) => quantity.replace(/Mi$/, 'm').replace(/Gi$/, 'g');
const shares = (cpu: string) => Math.max(2, Math.round((Number.parseFloat(cpu) / 1000) * 1024));
const limits = (r: Resources) => ({
  mem_limit: memory(r.memoryLimit),
  mem_reservation: memory(r.memoryRequest),
  cpu_shares: shares(r.cpuRequest),
});

// No Prometheus runs in compose, so the gateway's /metrics stays loopback-only (no METRICS_TOKEN, ADR 0122).
const secretValue = (secret: AppSecret) =>
  secret === 'databaseUrl'
    ? postgresUrl
    : secret === 'metricsToken'
      ? undefined
      : variable(composeSecrets[secret as Exclude<AppSecret, 'databaseUrl' | 'metricsToken'>]);

const environment = <A extends AppName>(app: A, extra: AppEnvironments[A]) => {
  const env = {
    ...definedVariables(
      appEnvironment(app, {
        port: apps[app].port,
        serviceVersion: appImage(app).split(':').at(-1) ?? 'dev',
        apiUrl: `http://${service('api')}:${apps.api.port}`,
        gatewayUrl: `http://${service('gateway')}:${apps.gateway.port}`,
        webOrigin: `http://localhost:${apps.web.port}`,
        redisUrl,
        secret: (s) => {
          const value = secretValue(s);
          return value === undefined ? undefined : { value };
        },
      }),
    ),
    ...definedVariables(extra),
  };
  // Web sits on the edge network only (it never reaches the data tier here): its sign-out revocations stay in
  // memory, which is enough for compose's single web replica (ADR 0121).
  if (app === 'web') delete (env as Record<string, unknown>).REDIS_URL;
  return env;
};

const healthcheck = (command: readonly string[]) => ({
  test: ['CMD', ...command],
  interval: '5s',
  timeout: '3s',
  retries: 12,
  start_period: '30s',
});
/** The image's own Node answers the healthcheck: the app images carry no curl or wget. */
const readyz = (port: number) =>
  healthcheck([
    'node',
    '-e',
    `fetch('http://127.0.0.1:${port}/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
  ]);

const appService = <A extends AppName>(app: A, networks: string[], dependsOn: string[], extra: AppEnvironments[A]) => ({
  image: appImage(app),
  user: `${imageUser.uid}:${imageUser.gid}`,
  command: [...appImages[app].command],
  environment: environment(app, extra),
  networks,
  depends_on: dependsOn,
  healthcheck: readyz(apps[app].port),
  read_only: true,
  tmpfs: ['/tmp'],
  restart: 'unless-stopped',
  stop_grace_period: '30s',
  ...limits(apps[app].resources),
});

/** What the Go API changes in the api service (ADR 0151): the image, its command, its healthcheck. */
const goApi = {
  image: apiImage('go'),
  command: [...apiImplementations.go.serveCommand],
  healthcheck: healthcheck(apiImplementations.go.healthcheckCommand),
};

/** The compose model, as an object (the drift test and the YAML share it). */
export function composeModel(implementation: ApiImplementation = 'ts') {
  const pgUser = data.postgres.user;
  return {
    name: 'homelab',
    services: {
      web: {
        ...appService('web', ['edge'], ['gateway'], { COOKIE_SECURE: 'false' }),
        ports: [`127.0.0.1:${publishedPort('web')}:${apps.web.port}`],
      },
      gateway: {
        ...appService('gateway', ['edge', 'data'], ['api', 'redis'], {}),
        ports: [`127.0.0.1:${publishedPort('gateway')}:${apps.gateway.port}`],
      },
      // The cluster runs the migration as a Job before a rollout; one compose replica migrates as it starts.
      api: {
        ...appService('api', ['data'], ['postgres', 'redis'], { MIGRATE_ON_START: 'true' }),
        ...(implementation === 'go' ? goApi : {}),
      },
      postgres: {
        image: dataImage('postgres'),
        environment: {
          POSTGRES_DB: data.postgres.database,
          POSTGRES_USER: pgUser,
          POSTGRES_PASSWORD: variable(composeSecrets.postgresPassword),
          PGDATA: '/var/lib/postgresql/data/pgdata',
        },
        networks: ['data'],
        volumes: ['postgres-data:/var/lib/postgresql/data'],
        healthcheck: {
          test: ['CMD', 'pg_isready', '-h', '127.0.0.1', '-U', pgUser, '-d', data.postgres.database],
          interval: '5s',
          timeout: '3s',
          retries: 12,
          start_period: '30s',
        },
        read_only: true,
        // The socket in /tmp: podman's tmpfs over /var/run/postgresql stayed unwritable for the unprivileged user.
        command: ['-c', 'unix_socket_directories=/tmp'],
        tmpfs: ['/tmp'],
        restart: 'unless-stopped',
        stop_grace_period: '60s',
        ...limits(dataWorkloads.postgres.resources),
      },
      redis: {
        image: dataImage('redis'),
        // Reached only over the data network; without a config file Redis would refuse non-loopback clients.
        command: redisServerArgs({ reachableFromNetwork: true }),
        networks: ['data'],
        volumes: ['redis-data:/data'],
        healthcheck: {
          test: ['CMD', 'redis-cli', '-p', String(data.redis.port), 'ping'],
          interval: '5s',
          timeout: '3s',
          retries: 12,
        },
        read_only: true,
        tmpfs: ['/tmp'],
        restart: 'unless-stopped',
        ...limits(dataWorkloads.redis.resources),
      },
      'postgres-exporter': {
        image: dataImage('postgresExporter'),
        environment: {
          DATA_SOURCE_URI: `${service('postgres')}:${data.postgres.port}/${data.postgres.database}?sslmode=disable`,
          DATA_SOURCE_USER: pgUser,
          DATA_SOURCE_PASS: variable(composeSecrets.postgresPassword),
        },
        networks: ['data'],
        depends_on: ['postgres'],
        read_only: true,
        restart: 'unless-stopped',
        ...limits(dataWorkloads.postgres.exporterResources),
      },
      'redis-exporter': {
        image: dataImage('redisExporter'),
        environment: { REDIS_ADDR: redisUrl },
        networks: ['data'],
        depends_on: ['redis'],
        read_only: true,
        restart: 'unless-stopped',
        ...limits(dataWorkloads.redis.exporterResources),
      },
    },
    networks: {
      edge: {},
      // Not `internal`: podman 4.3 (CNI) turns name resolution off on internal networks, and the api must resolve
      // `postgres`. Web is still not on it, which is the isolation that matters (ADR 0113).
      data: {},
    },
    volumes: { 'postgres-data': {}, 'redis-data': {} },
  };
}

/**
 * compose.yaml with the TypeScript API, compose.api-go.yaml with the Go one. A whole file rather than an override:
 * podman-compose merges an override's lists by appending (a healthcheck's `test` became both commands) where
 * Docker Compose replaces them. Both files are the project `homelab`, so switching keeps the volumes.
 */
export function renderCompose(implementation: ApiImplementation = 'ts'): string {
  const [language, other, otherLanguage] =
    implementation === 'ts' ? ['TypeScript', composeFiles.apiGo, 'Go'] : ['Go', composeFiles.base, 'TypeScript'];
  return [
    '# GENERATED by `node packages/images/src/cli.ts compose` from packages/platform: edit that, then regenerate',
    `# (a test fails on drift). The notes API in ${language}; ${other} is the same platform with it in ${otherLanguage}`,
    '# (same project, database and volumes). Secrets: a .env file beside this one (docs/compose.md). Images: docker',
    '# build --target <image>, or `node packages/images/src/cli.ts build` (everything, no Docker engine).',
    // YAML 1.1 quoting: podman-compose (PyYAML) reads a bare `yes` as true, and Redis refused `appendonly "True"`.
    stringify(composeModel(implementation), { lineWidth: 0, version: '1.1' }),
  ].join('\n');
}
