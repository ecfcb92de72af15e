import { apps, dataWorkloads, local } from '@homelab/platform';
import { baseEnvSchema, envBoolean, envPort, parseEnv } from '@homelab/service-kit';
import { z } from 'zod';

/** The API's configuration; the only place the API reads process.env. */
export const apiEnvSchema = baseEnvSchema.extend({
  PORT: envPort(apps.api.port),
  /** PostgreSQL connection string. Unset: embedded PGlite in PGLITE_DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  /** Where embedded PGlite keeps its data, kept across restarts. One process per directory. */
  PGLITE_DATA_DIR: z.string().min(1).default(`${local.dataDir}/api/pglite`),
  /** Redis URL. Unset: an in-process cache. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Default: on in local mode (no DATABASE_URL), off in the cluster where a Job runs `migrate`. */
  MIGRATE_ON_START: envBoolean.optional(),
  MAX_NOTES_PER_USER: z.coerce.number().int().min(1).default(10_000),
  /**
   * The key the gateway signs identity tokens with (ADR 0071), or IDENTITY_TOKEN_SECRET_FILE. Required: without
   * it no request could carry an identity, and a default would be a key everyone knows.
   */
  IDENTITY_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters'),
  IDENTITY_TOKEN_SECRET_FILE: z.string().min(1).optional(),
});

export type ApiEnv = z.infer<typeof apiEnvSchema>;

export const loadApiEnv = (source?: Record<string, string | undefined>): ApiEnv => parseEnv(apiEnvSchema, source);

/**
 * What the one-shot migration (`node src/migrate.ts`, the migration Job) reads: the database and logging only. The
 * Job mounts only the database Secret, so it must not need the identity-token key the server does (found on real
 * kubelet nodes: the Job failed with a ConfigError before migrating).
 */
export const migrationEnvSchema = apiEnvSchema
  .omit({
    IDENTITY_TOKEN_SECRET: true,
    IDENTITY_TOKEN_SECRET_FILE: true,
    REDIS_URL: true,
    CACHE_TTL_SECONDS: true,
    MIGRATE_ON_START: true,
    MAX_NOTES_PER_USER: true,
  })
  .extend({
    /** How long to wait for PostgreSQL to accept connections before migrating (0: try once). */
    DATABASE_WAIT_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(dataWorkloads.migration.activeDeadlineSeconds)
      .default(dataWorkloads.migration.databaseWaitSeconds),
  });

export type MigrationEnv = z.infer<typeof migrationEnvSchema>;

export const loadMigrationEnv = (source?: Record<string, string | undefined>): MigrationEnv =>
  parseEnv(migrationEnvSchema, source);
