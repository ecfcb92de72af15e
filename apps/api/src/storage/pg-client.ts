import pg from 'pg';
import type { Logger } from 'pino';
import type { SqlClient, SqlExecutor } from './sql-client.ts';

export interface PgClientOptions {
  readonly connectionString: string;
  readonly logger: Logger;
  /** Default 10. */
  readonly max?: number;
  /** Server-side cap per statement, so a stuck query cannot pin a connection forever. Default 4000 ms. */
  readonly statementTimeoutMs?: number;
}

/**
 * A `pg` Pool behind the SqlClient interface. Connect attempts time out quickly so that, with PostgreSQL down,
 * requests fail fast with 503 instead of queueing; the pool reconnects on its own when the server returns.
 */
export function createPgClient({
  connectionString,
  logger,
  max = 10,
  statementTimeoutMs = 4000,
}: PgClientOptions): SqlClient {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    application_name: 'homelab-api',
  });
  // Without a listener, an idle client's error (server restart) is an unhandled 'error' event: a crash.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection lost'));
  const query: SqlExecutor['query'] = async <Row>(text: string, params?: readonly unknown[]) => {
    const result = await pool.query(text, params as unknown[] | undefined);
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  };
  return {
    kind: 'postgres',
    query,
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out client is not covered by the pool's listener: a server shutdown between two statements of
      // this transaction would otherwise be an unhandled 'error' event. The failing query rejects on its own.
      const onError = (error: Error) => {
        broken = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: async <Row>(text: string, params?: readonly unknown[]) => {
            const r = await client.query(text, params as unknown[] | undefined);
            return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        // A connection whose rollback failed is in an unknown state: destroy it rather than reuse it.
        client.off('error', onError);
        client.release(broken);
      }
    },
    async exec(script) {
      await pool.query(script);
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}
