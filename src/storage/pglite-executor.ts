import { mkdirSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { lockDirectory } from "./dir-lock.ts";
import type { SqlExecutor } from "./sql-executor.ts";

/** Embedded PostgreSQL (PGlite, WebAssembly) persisted to `dir`, or in memory when `dir` is undefined. */
export async function pgliteExecutor(dir: string | undefined): Promise<SqlExecutor> {
  let unlock = () => {};
  if (dir !== undefined) {
    mkdirSync(dir, { recursive: true });
    unlock = lockDirectory(dir);
  }
  const db = dir === undefined ? new PGlite() : new PGlite(dir);
  try {
    await db.waitReady;
  } catch (e) {
    unlock();
    throw e;
  }
  const wrap =
    (c: PGlite | Transaction): SqlExecutor["query"] =>
    async <R extends Record<string, unknown>>(text: string, params?: unknown[]) =>
      (await c.query<R>(text, params)).rows;
  return {
    query: wrap(db),
    transaction: (fn) =>
      db.transaction(async (t) => {
        const tx: SqlExecutor = { query: wrap(t), transaction: (inner) => inner(tx), close: async () => {} };
        return fn(tx);
      }),
    close: async () => {
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}
