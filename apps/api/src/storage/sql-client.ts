/** What the notes code needs from a database; implemented over a `pg` Pool and over in-process PGlite. */
export interface SqlExecutor {
  query<Row>(text: string, params?: readonly unknown[]): Promise<{ rows: Row[]; rowCount: number }>;
}

export interface SqlClient extends SqlExecutor {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(script: string): Promise<void>;
  /** Rejects when the database cannot answer (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** 'postgres' or 'pglite', for logs. */
  readonly kind: string;
}
