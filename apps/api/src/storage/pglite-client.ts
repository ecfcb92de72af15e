import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient, SqlExecutor } from './sql-client.ts';

/**
 * Embedded PostgreSQL (WASM) for zero-setup local runs and tests. `dataDir` undefined keeps everything in memory;
 * a directory keeps the data across restarts. One process per directory: PGlite is single-connection.
 */
export async function createPgliteClient(dataDir?: string): Promise<SqlClient> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const wrap = (target: Pick<PGlite, 'query'>): SqlExecutor => ({
    async query<Row>(text: string, params?: readonly unknown[]) {
      const result = await target.query<Row>(text, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
  });
  const executor = wrap(db);
  return {
    kind: 'pglite',
    query: executor.query,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    async exec(script) {
      await db.exec(script);
    },
    async ping() {
      await db.query('SELECT 1');
    },
    close: () => db.close(),
  };
}
