/**
 * `homelab up --canary`'s one database: embedded PostgreSQL (PGlite, WASM) in PGLITE_DATA_DIR, served over the
 * PostgreSQL wire protocol on 127.0.0.1:PORT, so the stable and the canary API connect to the same data as they
 * do in the cluster. PGlite is single-session: pglite-socket multiplexes the clients' connections onto it and
 * keeps a transaction's queries together. Stops on SIGTERM/SIGINT after closing the database cleanly.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { loadSharedDatabaseEnv } from './shared-database-env.ts';

const { dataDir, port, maxConnections } = loadSharedDatabaseEnv();

mkdirSync(dataDir, { recursive: true });
const db = await PGlite.create(dataDir);
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections });
await server.start();
console.log(JSON.stringify({ level: 30, msg: 'serving PGlite over the wire protocol', port, dataDir }));

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
