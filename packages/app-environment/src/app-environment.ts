// Type-only imports: Node strips them, so using this module loads none of the apps (cdk8s synthesis stays light).
import type { apiEnvSchema } from '@homelab/api/env';
import type { gatewayEnvSchema } from '@homelab/gateway/env';
import type { AppName } from '@homelab/platform';
import type { webEnvSchema } from '@homelab/web/env';
import type { z } from 'zod';

/**
 * The variables an env schema reads, as a process environment holds them: every key of the schema and its `X_FILE`
 * twin (the service kit reads X from the file X_FILE names), each an optional string. An object typed by this
 * rejects a variable the app does not read, so renaming one in an app's env.ts fails to compile where it is set.
 */
export type EnvironmentOf<S extends z.ZodType> = {
  -readonly [K in keyof z.input<S> & string as K | `${K}_FILE`]?: string;
};

export interface AppEnvironments {
  readonly api: EnvironmentOf<typeof apiEnvSchema>;
  readonly gateway: EnvironmentOf<typeof gatewayEnvSchema>;
  readonly web: EnvironmentOf<typeof webEnvSchema>;
}

/** A secret as the app receives it: the value itself (local runs) or the path of the mounted file (the cluster). */
export type SecretSource = { readonly value: string } | { readonly file: string };

/** The secrets that wire the apps together, by role. */
export type AppSecret =
  | 'adminToken'
  | 'databaseUrl'
  | 'apiKeys'
  | 'jwtSecret'
  | 'sessionSecret'
  | 'identityToken'
  | 'webUsers'
  | 'metricsToken';

/** Where everything an app connects to lives, in one deployment (the cluster, or this machine). */
export interface Addressing {
  /** The port the app listens on. */
  readonly port: number;
  readonly serviceVersion: string;
  /** The API as the gateway calls it. */
  readonly apiUrl: string;
  /** The gateway as the web app's server calls it. */
  readonly gatewayUrl: string;
  /** The web app's origin as browsers see it (the gateway's CORS origin). */
  readonly webOrigin: string;
  /**
   * Redis for the API's cache, the gateway's buckets and the web app's session revocations. Default: none
   * (in-memory in each process).
   */
  readonly redisUrl?: string;
  /** Prometheus for the status page. Default: none (each service's own /metrics). */
  readonly prometheusUrl?: string;
  /** How each secret reaches the app; undefined leaves it unset. */
  readonly secret: (secret: AppSecret) => SecretSource | undefined;
}

/**
 * Setters for one app's environment `E`. Variables are named as `keyof E`: spread objects escape TypeScript's
 * excess-property check, so this is what makes a variable the app no longer reads fail to compile.
 */
const variablesOf = <E>() => ({
  /** `{ X: value }` or `{ X_FILE: path }`, or nothing when the secret is not given. */
  secret: (variable: keyof E & string, source: SecretSource | undefined): E =>
    (source === undefined
      ? {}
      : 'value' in source
        ? { [variable]: source.value }
        : { [`${variable}_FILE`]: source.file }) as E,
  optional: (variable: keyof E & string, value: string | undefined): E =>
    (value === undefined ? {} : { [variable]: value }) as E,
});

const wiring: { readonly [A in AppName]: (a: Addressing) => AppEnvironments[A] } = {
  api: (a) => {
    const v = variablesOf<AppEnvironments['api']>();
    return {
      ...v.optional('REDIS_URL', a.redisUrl),
      ...v.secret('ADMIN_TOKEN', a.secret('adminToken')),
      ...v.secret('DATABASE_URL', a.secret('databaseUrl')),
      // Verifies the identity the gateway signs on every request it forwards.
      ...v.secret('IDENTITY_TOKEN_SECRET', a.secret('identityToken')),
    };
  },
  gateway: (a) => {
    const v = variablesOf<AppEnvironments['gateway']>();
    return {
      API_URL: a.apiUrl,
      ...v.secret('API_KEYS', a.secret('apiKeys')),
      ...v.secret('JWT_SECRET', a.secret('jwtSecret')),
      // Signs the identity of every request it forwards to the API.
      ...v.secret('IDENTITY_TOKEN_SECRET', a.secret('identityToken')),
      WEB_ORIGIN: a.webOrigin,
      // Prometheus' bearer token for /metrics from off the host (ADR 0122); unset, loopback callers only.
      ...v.secret('METRICS_TOKEN', a.secret('metricsToken')),
      // Token buckets shared by every replica; without it each process grants its own burst.
      ...v.optional('REDIS_URL', a.redisUrl),
    };
  },
  web: (a) => {
    const v = variablesOf<AppEnvironments['web']>();
    return {
      GATEWAY_URL: a.gatewayUrl,
      // Shared with the gateway: the web app mints short-lived tokens for the signed-in identity.
      ...v.secret('JWT_SECRET', a.secret('jwtSecret')),
      ...v.secret('SESSION_SECRET', a.secret('sessionSecret')),
      // Who may sign in (argon2id hashes only); unset, nobody can and the page says so.
      ...v.secret('WEB_USERS', a.secret('webUsers')),
      ...v.optional('PROMETHEUS_URL', a.prometheusUrl),
      // Sign-out revocations shared by every replica (ADR 0121); without it a session signed out on one replica
      // stays valid on the others until it expires.
      ...v.optional('REDIS_URL', a.redisUrl),
    };
  },
};

/**
 * The environment that places `app` in a deployment: its port and version, the URLs of what it calls, its
 * secrets. The caller adds what only its setting knows (log level, cookie flags, local data directories), typed by
 * the same `AppEnvironments[app]`.
 */
export function appEnvironment<A extends AppName>(app: A, addressing: Addressing): AppEnvironments[A] {
  return {
    PORT: String(addressing.port),
    SERVICE_VERSION: addressing.serviceVersion,
    ...wiring[app](addressing),
  };
}

/** An environment as a process or a ConfigMap takes it: every variable set to a string, unset ones left out. */
export const definedVariables = (environment: object): Record<string, string> =>
  Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
