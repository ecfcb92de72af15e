import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secretMountPath, secretNames } from '@homelab/platform';
import { createDatabase, realServersRequired } from '@homelab/test-servers';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { find, loadManifests } from '../src/manifests.ts';

/**
 * Runs the backup CronJob's and the restore Job's scripts, exactly as synthesized, against a real PostgreSQL:
 * only the mount paths and the connection variables are pointed at the test server.
 */
const serverUrl = inject('postgresServerUrl');
const tools = ['pg_dump', 'psql', 'gzip'].every((t) => {
  try {
    execFileSync('sh', ['-c', `command -v ${t}`]);
    return true;
  } catch {
    return false;
  }
});
const runnable = serverUrl !== '' && tools;
if (!runnable && !realServersRequired()) {
  console.warn('[infra/k8s] no PostgreSQL server or client tools: backup/restore scripts not exercised');
}

const objects = loadManifests();
const containerOf = (kind: string, name: string) => {
  const o = find(objects, kind, name);
  const template = kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template;
  return template.spec.containers[0];
};
const backup = containerOf('CronJob', 'postgres-backup');
const restore = containerOf('Job', 'postgres-restore');

const scratch = mkdtempSync(join(tmpdir(), 'homelab-backup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const backupDir = join(scratch, 'backups');
const secretDir = join(scratch, 'secrets');

/** The script with the pod's mount paths moved under the scratch directory. */
const localScript = (container: { command: string[] }): string => {
  const script = container.command[2] ?? '';
  return script.replaceAll('/backups', backupDir).replaceAll(`${secretMountPath}/${secretNames.postgres}`, secretDir);
};

const connectionEnv = (url: string, extra: Record<string, string> = {}) => {
  const u = new URL(url);
  return {
    PATH: process.env.PATH ?? '',
    PGHOST: u.hostname,
    PGPORT: u.port,
    PGUSER: decodeURIComponent(u.username),
    PGDATABASE: u.pathname.slice(1),
    ...extra,
  };
};
const psql = (url: string, sql: string) =>
  execFileSync('psql', ['--no-psqlrc', '-tA', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    env: connectionEnv(url),
    encoding: 'utf8',
  }).trim();

describe.skipIf(!runnable && !realServersRequired())('backup and restore scripts', () => {
  it('read their connection from PG* variables and the password from the mounted Secret file', () => {
    expect(backup.env.map((e: { name: string }) => e.name).sort()).toEqual([
      'PGDATABASE',
      'PGHOST',
      'PGPORT',
      'PGUSER',
    ]);
    expect(localScript(backup)).toContain(`${secretDir}/password`);
    expect(restore.envFrom[0].configMapRef.name).toBe('postgres-restore');
  });

  it('dump nightly with retention, then restore the newest dump into an empty database, twice', async () => {
    if (!runnable) throw new Error('PostgreSQL server or pg_dump/psql missing, and real servers are required');
    mkdirSync(backupDir, { recursive: true });
    mkdirSync(secretDir, { recursive: true });
    writeFileSync(join(secretDir, 'password'), 'unused-with-trust-auth\n');
    const source = await createDatabase(serverUrl, 'backup_src');
    const target = await createDatabase(serverUrl, 'backup_dst');
    psql(
      source,
      "CREATE TABLE notes (id serial PRIMARY KEY, body text); INSERT INTO notes (body) SELECT 'note ' || g FROM generate_series(1, 50) g",
    );

    // A dump older than the retention must go; the new one must stay.
    const stale = join(backupDir, 'notes-20000101T000000Z.sql.gz');
    writeFileSync(stale, '');
    const old = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    utimesSync(stale, old, old);
    execFileSync('sh', ['-ec', localScript(backup)], { env: connectionEnv(source), stdio: 'pipe' });
    const dumps = readdirSync(backupDir);
    expect(existsSync(stale)).toBe(false);
    expect(dumps).toHaveLength(1);
    expect(dumps[0]).toMatch(/^notes-\d{8}T\d{6}Z\.sql\.gz$/);

    for (let round = 0; round < 2; round++) {
      execFileSync('sh', ['-ec', localScript(restore)], {
        env: connectionEnv(target, { BACKUP_FILE: '' }),
        stdio: 'pipe',
      });
      expect(psql(target, 'SELECT count(*) FROM notes')).toBe('50');
    }
    expect(psql(target, 'SELECT body FROM notes WHERE id = 7')).toBe('note 7');
  });
});
