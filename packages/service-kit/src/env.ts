import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Thrown when the environment does not describe a runnable service; the message names every bad variable. */
export class ConfigError extends Error {
  readonly variables: readonly string[];
  constructor(problems: readonly { variable: string; message: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
    this.variables = problems.map((p) => p.variable);
  }
}

/**
 * A boolean written as an environment variable. `z.coerce.boolean()` would read "false" as true (any non-empty
 * string is truthy), so only the spellings below are accepted.
 */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** A TCP port; `defaultPort` comes from @homelab/platform (`apps.<name>.port`). 0 asks the kernel for a free one. */
export const envPort = (defaultPort: number) => z.coerce.number().int().min(0).max(65_535).default(defaultPort);

/**
 * What every service reads. Apps extend it in their own `src/env.ts` (`baseEnvSchema.extend({...})`), usually
 * overriding PORT with `envPort(apps.<name>.port)`.
 */
export const baseEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SERVICE_VERSION: z.string().min(1).default('0.0.0-dev'),
  GIT_COMMIT: z.string().min(1).default('unknown'),
  /** Fault injection for drills: refused unless explicitly enabled per deployment. */
  FAULTS_ENABLED: envBoolean.default(false),
  /** Bearer token of the admin endpoints; ADMIN_TOKEN_FILE (a mounted Secret) is read into it by parseEnv. */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ADMIN_TOKEN_FILE: z.string().min(1).optional(),
});

export type BaseEnv = z.infer<typeof baseEnvSchema>;

/**
 * Parses the environment once at start-up. Empty strings count as unset (Kubernetes and shells produce them for
 * "not configured"). For every variable X of the schema, `X_FILE` names a file (a mounted Secret) whose trimmed
 * content is used as X when X itself is unset, so secrets never sit in env values; a problem with such a value
 * names `X_FILE`. FAULTS_ENABLED=true without a token is refused: an admin endpoint without a credential would be
 * open to anyone who can reach the pod.
 */
export function parseEnv<Schema extends z.ZodType<BaseEnv>>(
  schema: Schema,
  source: Record<string, string | undefined> = process.env,
): z.infer<Schema> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) if (value !== undefined && value !== '') cleaned[key] = value;
  const fromFile = readSecretFiles(schema, cleaned);
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '');
        return {
          variable: fromFile.has(variable) ? `${variable}_FILE` : issue.path.map(String).join('.') || '(environment)',
          message: cleaned[variable] === undefined ? `missing (${issue.message})` : issue.message,
        };
      }),
    );
  }
  const config = result.data as z.infer<Schema> & BaseEnv;
  if (config.FAULTS_ENABLED && config.ADMIN_TOKEN === undefined) {
    throw new ConfigError([{ variable: 'ADMIN_TOKEN', message: 'required when FAULTS_ENABLED=true' }]);
  }
  return config;
}

/** Fills X from the file named by X_FILE for each schema variable X that is unset; returns the names filled. */
function readSecretFiles(schema: z.ZodType, values: Record<string, string>): Set<string> {
  const filled = new Set<string>();
  if (!(schema instanceof z.ZodObject)) return filled;
  const problems: { variable: string; message: string }[] = [];
  for (const variable of Object.keys(schema.shape)) {
    const path = values[`${variable}_FILE`];
    if (path === undefined || values[variable] !== undefined) continue;
    try {
      values[variable] = readFileSync(path, 'utf8').trim();
      filled.add(variable);
    } catch (error) {
      problems.push({ variable: `${variable}_FILE`, message: `cannot read: ${(error as Error).message}` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return filled;
}
