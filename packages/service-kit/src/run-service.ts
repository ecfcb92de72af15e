import type { Hono } from 'hono';
import { ConfigError } from './env.ts';
import type { Lifecycle } from './lifecycle.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type ServiceMetrics } from './metrics.ts';
import { type RunningServer, serve } from './serve.ts';

/** What every service's env provides (the kit's base schema). */
export interface ServiceEnv {
  readonly PORT: number;
  readonly HOST: string;
  readonly LOG_LEVEL: string;
  readonly SERVICE_VERSION: string;
  readonly GIT_COMMIT: string;
}

export interface RunServiceOptions<E extends ServiceEnv> {
  /** The service name on every log line and metric. */
  readonly name: string;
  /** Parses the environment once; throws `ConfigError` for a configuration the service cannot run with. */
  readonly loadEnv: () => E;
  /** Builds the app from the parsed env (opening pools, migrating); runs after the logger and metrics exist. */
  readonly createApp: (context: {
    readonly env: E;
    readonly logger: Logger;
    readonly metrics: ServiceMetrics;
  }) => Promise<{ app: Hono; lifecycle: Lifecycle }> | { app: Hono; lifecycle: Lifecycle };
  /** Where the configuration error goes, and how the process ends. Default: stderr and `process.exit(78)`. */
  readonly onConfigError?: (error: ConfigError) => never;
}

/** EX_CONFIG (sysexits.h): the process cannot run with this configuration; restarting it will not help. */
export const configErrorExitCode = 78;

const exitOnConfigError = (error: ConfigError): never => {
  process.stderr.write(`${error.message}\n`);
  process.exit(configErrorExitCode);
};

/**
 * A service's `main.ts` in one call: parse the env (a `ConfigError` exits 78 naming the variables; anything else is
 * a bug and keeps its stack), create the logger and metrics, build the app, serve with graceful shutdown.
 */
export async function runService<E extends ServiceEnv>(options: RunServiceOptions<E>): Promise<RunningServer> {
  let env: E;
  try {
    env = options.loadEnv();
  } catch (error) {
    if (error instanceof ConfigError) return (options.onConfigError ?? exitOnConfigError)(error);
    throw error;
  }
  const version = env.SERVICE_VERSION;
  const logger = createLogger({ service: options.name, version, level: env.LOG_LEVEL });
  const metrics = createMetrics({ service: options.name, version, commit: env.GIT_COMMIT });
  const { app, lifecycle } = await options.createApp({ env, logger, metrics });
  return serve({ app, port: env.PORT, host: env.HOST, logger, lifecycle });
}
