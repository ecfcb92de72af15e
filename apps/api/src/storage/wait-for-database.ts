import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from './database-errors.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * Waits until PostgreSQL answers `SELECT 1`, retrying while it is unreachable (refused, not resolvable yet, no
 * route, starting up) with exponential backoff up to `timeoutMs`; any other error, or the deadline, rethrows the
 * last error. The migration Job starts beside a PostgreSQL that is itself starting: without this, the Job spent
 * its retries before the database could answer.
 */
export async function waitForDatabase(db: SqlClient, logger: Logger, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const policy = retry(
    handleWhen((error) => isDatabaseUnavailable(error) && Date.now() < deadline),
    { maxAttempts: Number.MAX_SAFE_INTEGER, backoff: new ExponentialBackoff({ initialDelay: 250, maxDelay: 5_000 }) },
  );
  policy.onRetry(({ delay, ...outcome }) => {
    const err = 'error' in outcome ? outcome.error : undefined;
    logger.info(
      { err, retryInMs: Math.round(delay), leftMs: Math.max(0, deadline - Date.now()) },
      'waiting for the database',
    );
  });
  await policy.execute(() => db.query('SELECT 1'));
}
