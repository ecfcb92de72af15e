import type { TestProject } from 'vitest/node';
import { realServersRequired } from './env.ts';
import './provided-context.ts';
import { type PostgresServer, postgresAvailable, startPostgres } from './postgres.ts';
import { type RedisServer, redisAvailable, startRedis } from './redis.ts';

/**
 * Starts one real PostgreSQL and one real Redis for the whole run. Where a binary is missing the suites fall back
 * to the embedded implementations with a visible notice, except under CI=true, where that is a failure.
 */
export default async function setup(project: TestProject) {
  const required = realServersRequired();
  const notices: string[] = [];
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  if (postgresAvailable()) postgres = await startPostgres();
  else if (required) throw new Error('CI=true requires a real PostgreSQL: install the postgresql package');
  else notices.push('PostgreSQL binaries not found: integration suites run on embedded PGlite only');
  if (redisAvailable()) redis = await startRedis();
  else if (required) throw new Error('CI=true requires a real Redis: install the redis-server package');
  else notices.push('redis-server not found: integration suites run on the in-memory cache only');
  for (const notice of notices) console.warn(`\n\u001b[33m[notice]\u001b[0m ${notice}`);
  project.provide('postgresServerUrl', postgres?.url ?? '');
  project.provide('redisUrl', redis?.url ?? '');
  return async () => {
    await Promise.all([postgres?.destroy(), redis?.stop()]);
  };
}
