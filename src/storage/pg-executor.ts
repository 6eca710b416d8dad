import pg from "pg";
import type { SqlExecutor } from "./sql-executor.ts";

/** PostgreSQL through a `pg` connection pool. */
export function pgExecutor(connectionString: string, poolSize = 10): SqlExecutor {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  const wrap = (c: pg.Pool | pg.PoolClient): SqlExecutor["query"] =>
    async function query<R extends Record<string, unknown>>(text: string, params?: unknown[]) {
      const res = await c.query<R>(text, params);
      return res.rows;
    };
  return {
    query: wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const tx: SqlExecutor = {
          query: wrap(client),
          transaction: (inner) => inner(tx),
          close: async () => {},
        };
        const out = await fn(tx);
        await client.query("COMMIT");
        return out;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
