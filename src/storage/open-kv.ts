import { resolve } from "node:path";
import { badRequest } from "../core/errors.ts";
import type { KvStore } from "./kv.ts";
import { pgExecutor } from "./pg-executor.ts";
import { pgliteExecutor } from "./pglite-executor.ts";
import { SqlKvStore } from "./sql-kv.ts";

/**
 * Opens the metadata store named by a store URL:
 * `pglite:<dir>` (embedded, persisted), `pglite:memory` (embedded, in memory),
 * or `postgres://user:pass@host:port/db` / `postgresql://…`.
 */
export async function openKvStore(url: string, opts: { poolSize?: number } = {}): Promise<KvStore> {
  if (url.startsWith("pglite:")) {
    const path = url.slice("pglite:".length);
    if (path === "")
      throw badRequest(`store URL '${url}' names no directory (use pglite:<dir> or pglite:memory)`);
    const dir = path === "memory" ? undefined : resolve(path);
    return SqlKvStore.open(await pgliteExecutor(dir), dir ? `pglite:${dir}` : "pglite:memory");
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const redacted = url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
    return SqlKvStore.open(pgExecutor(url, opts.poolSize), redacted);
  }
  throw badRequest(`unsupported store URL '${url}': use pglite:<dir>, pglite:memory or postgres://…`);
}
