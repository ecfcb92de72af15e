import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { postgresAvailable, realServersRequired, startPostgres } from '@homelab/test-servers';
import { describe, expect, it } from 'vitest';

const haveServer = postgresAvailable();
if (!haveServer && realServersRequired()) throw new Error('CI requires PostgreSQL binaries for this suite');
if (!haveServer) console.warn('[notice] PostgreSQL binaries missing: migration-wait tests skipped');

const run = promisify(execFile);
const migrateEntry = join(import.meta.dirname, 'migrate.ts');

/** `node src/migrate.ts` as the migration Job runs it; resolves with its exit code and output. */
const migrateProcess = (env: Record<string, string>) =>
  run(process.execPath, [migrateEntry], { env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env } }).then(
    (r) => ({ code: 0, output: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
  );

describe.skipIf(!haveServer)('the migration Job entry point (node src/migrate.ts)', () => {
  it('waits for a PostgreSQL that is still starting, then migrates', async () => {
    const pg = await startPostgres();
    try {
      await pg.stop();
      const migrating = migrateProcess({ DATABASE_URL: pg.url, DATABASE_WAIT_SECONDS: '60' });
      await new Promise((r) => setTimeout(r, 2_000));
      await pg.start();
      const { code, output } = await migrating;
      expect(code, output).toBe(0);
      expect(output).toContain('waiting for the database');
      expect(output).toMatch(/"from":0,"to":[1-9].*schema migrated/);
    } finally {
      await pg.destroy();
    }
  }, 90_000);

  it('gives up after DATABASE_WAIT_SECONDS with the error and a non-zero exit', async () => {
    const pg = await startPostgres();
    await pg.destroy();
    const started = Date.now();
    const { code, output } = await migrateProcess({ DATABASE_URL: pg.url, DATABASE_WAIT_SECONDS: '2' });
    expect(code).toBe(1);
    expect(output).toMatch(/ECONNREFUSED.*migration failed/s);
    // It waited (several attempts), and stopped near its deadline rather than at the Job's.
    expect(output.match(/waiting for the database/g)?.length ?? 0).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it('does not retry what waiting cannot fix (a wrong password is not "unavailable")', async () => {
    const pg = await startPostgres();
    try {
      const url = pg.url.replace('postgres@', 'nobody@');
      const { code, output } = await migrateProcess({ DATABASE_URL: url, DATABASE_WAIT_SECONDS: '60' });
      expect(code).toBe(1);
      expect(output).not.toContain('waiting for the database');
    } finally {
      await pg.destroy();
    }
  }, 60_000);
});
