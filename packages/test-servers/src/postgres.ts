import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { asPostgresUser, findBinary, isRoot, postgresBinDirs, postgresUserIds } from './binaries.ts';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

export interface PostgresServer {
  /** Connection string of the `postgres` database as the superuser. */
  readonly url: string;
  readonly port: number;
  /** Stops the server. `immediate` is a crash as far as PostgreSQL is concerned (recovery on the next start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and deletes the data directory. */
  destroy(): Promise<void>;
}

export const postgresAvailable = (): boolean => findBinary('initdb', postgresBinDirs()) !== undefined;

/**
 * Starts a throwaway PostgreSQL cluster on a free loopback port from the machine's server binaries
 * (`initdb`, `pg_ctl`). fsync is off: the tests crash the server process, never the machine, and committed
 * WAL survives a process crash in the page cache.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const initdb = findBinary('initdb', postgresBinDirs());
  const pgCtl = findBinary('pg_ctl', postgresBinDirs());
  if (!initdb || !pgCtl) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) are not installed');
  const dir = mkdtempSync(join(tmpdir(), 'homelab-pg-'));
  if (isRoot()) {
    const { uid, gid } = postgresUserIds();
    chownSync(dir, uid, gid);
  }
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const exec = (cmd: string, args: string[]) => run(...asPostgresUser(cmd, args), { cwd: dir });
  await exec(initdb, ['-D', dataDir, '--auth=trust', '-U', 'postgres', '--encoding=UTF8', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = async () => {
    await exec(pgCtl, ['-D', dataDir, '-o', options, '-l', join(dir, 'postgres.log'), '-w', '-t', '30', 'start']);
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = true;
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return;
    await exec(pgCtl, ['-D', dataDir, '-m', mode, '-w', 'stop']);
    running = false;
  };
  return {
    url,
    port,
    stop,
    async start() {
      if (running) return;
      await start();
      running = true;
    },
    async destroy() {
      await stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates an empty database on the server and returns its connection string; one per test file keeps them apart. */
export async function createDatabase(serverUrl: string, prefix = 'test'): Promise<string> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.replace(/[^a-z0-9_]/gi, '_');
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
