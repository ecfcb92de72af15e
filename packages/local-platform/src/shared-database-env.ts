/** The configuration of shared-database-process.ts, from its environment (the one place it reads it: ADR 0153). */
export interface SharedDatabaseEnv {
  /** PGLITE_DATA_DIR: where the embedded PostgreSQL keeps its data. */
  readonly dataDir: string;
  /** PORT: the loopback port it serves the wire protocol on. */
  readonly port: number;
  /** MAX_CONNECTIONS: both APIs' pools together; a client beyond this waits in the server's queue. Default 32. */
  readonly maxConnections: number;
}

/** Stops start-up with a message naming the variable that is missing or malformed. */
export function loadSharedDatabaseEnv(source: Record<string, string | undefined> = process.env): SharedDatabaseEnv {
  const dataDir = source.PGLITE_DATA_DIR;
  const port = Number(source.PORT);
  const maxConnections = Number(source.MAX_CONNECTIONS ?? 32);
  if (!dataDir) throw new Error('PGLITE_DATA_DIR is required');
  if (!Number.isInteger(port) || port <= 0) throw new Error(`PORT must be a port number, got "${source.PORT}"`);
  return { dataDir, port, maxConnections };
}
