import { join } from 'node:path';
import Postgrator from 'postgrator';
import type { SqlClient } from './sql-client.ts';

/** Versioned SQL files: `NNN.do.<name>.sql` (and `NNN.undo.<name>.sql`). */
export const migrationsDir = join(import.meta.dirname, '..', '..', 'migrations');

/**
 * Brings the schema to the newest version. Postgrator records applied versions (with checksums) in
 * `schemaversion`; each script runs as one multi-statement query, which PostgreSQL executes as one implicit
 * transaction, so a failed migration leaves nothing half-applied.
 */
export async function migrate(db: SqlClient): Promise<{ from: number; to: number }> {
  const postgrator = new Postgrator({
    migrationPattern: join(migrationsDir, '*'),
    driver: 'pg',
    schemaTable: 'schemaversion',
    execQuery: (text) => db.query(text),
    execSqlScript: (script) => db.exec(script),
  });
  const from = await postgrator.getDatabaseVersion();
  const applied = await postgrator.migrate();
  const to = applied.length > 0 ? (applied.at(-1)?.version ?? from) : from;
  return { from, to };
}
