/** What the SQL-backed KV needs from a PostgreSQL connection: PostgreSQL itself (`pg`) or PGlite. */
export interface SqlExecutor {
  query<R extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Runs `fn` in one transaction on one connection. */
  transaction<T>(fn: (q: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
