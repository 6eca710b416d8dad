import type { FloeConfig } from "../core/config.ts";
import { s3Settings } from "../core/config.ts";
import { isFloeError } from "../core/errors.ts";
import { rowsResult, type StatementResult } from "../engine/sql/result.ts";
import type { SqlSession } from "../engine/sql/session.ts";
import { CliError } from "./common.ts";
import { remoteStatement } from "./sql-remote.ts";

/**
 * Where `floe sql` runs its statements: a SQL session in this process on the configuration's
 * catalog, or — while a server holds an embedded catalog — that server's SQL endpoint, each
 * statement in a session of its own there, the reference `USE REFERENCE` picks kept here.
 */
export interface SqlExecutor {
  /** The reference statements run on (the shell's prompt shows it). */
  readonly ref: string;
  /** Whether statements go to a server (`uri`) rather than run here. */
  readonly remote: boolean;
  execute(sql: string, signal?: AbortSignal): Promise<StatementResult>;
  /** Writes a query's rows to a Parquet file; returns the row count. */
  copyTo(sql: string, path: string, signal?: AbortSignal): Promise<bigint>;
  close(): Promise<void>;
}

export async function openExecutor(config: FloeConfig, ref: string | undefined): Promise<SqlExecutor> {
  // Loaded here so that other commands start without DuckDB and the store.
  const [
    { openKvStore },
    { openVersionStore },
    { ObjectStoreResolver },
    { openCatalog },
    { SqlSession },
    { parseStatement },
    { engineFilesFromConfig },
  ] = await Promise.all([
    import("../storage/open-kv.ts"),
    import("../versioning/version-store.ts"),
    import("../storage/open-object-store.ts"),
    import("../catalog/catalog.ts"),
    import("../engine/sql/session.ts"),
    import("../engine/sql/parse.ts"),
    import("../engine/duck-files.ts"),
  ]);
  const kv = await openKvStore(config.store, { poolSize: config.storePoolSize }).catch((e: unknown) => {
    if (isFloeError(e, "SERVICE_UNAVAILABLE")) return undefined; // a server holds the embedded catalog
    throw e;
  });
  if (kv === undefined) {
    let current = ref;
    // A transaction is sent whole at its COMMIT / ROLLBACK (the server's session lasts one request).
    let pending: string[] | undefined;
    return {
      get ref() {
        return current ?? config.defaultBranch;
      },
      remote: true,
      execute: async (sql, signal) => {
        const st = parseStatement(sql);
        if (st.kind === "transaction" && st.action === "begin" && pending === undefined) pending = [];
        if (pending !== undefined) {
          pending.push(sql);
          if (st.kind !== "transaction" || st.action === "begin") return rowsResult([], []);
          const block = pending.join(";\n");
          pending = undefined;
          return remoteStatement(config.uri, block, current, signal);
        }
        const r = await remoteStatement(config.uri, sql, current, signal);
        if (st.kind === "use-reference") current = st.hash === undefined ? st.name : `${st.name}@${st.hash}`;
        return r;
      },
      copyTo: () =>
        Promise.reject(
          new CliError(
            `--format parquet needs the catalog in this process, but the server at ${config.uri} holds it: ` +
              "stop it, or use --format csv / json",
          ),
        ),
      close: () => Promise.resolve(),
    };
  }
  const store = await openVersionStore(kv, { defaultBranch: config.defaultBranch });
  const objects = new ObjectStoreResolver({ s3: s3Settings(config) });
  const closeStore = async () => {
    await store.close();
    await objects.close();
  };
  try {
    const catalog = openCatalog({ store, objects, warehouse: config.warehouse });
    const session = await SqlSession.open({
      catalog,
      objects,
      files: await engineFilesFromConfig(config, objects),
      ...(ref ? { ref } : {}),
      author: process.env.USER ?? "floe",
    });
    return localExecutor(session, closeStore);
  } catch (e) {
    await closeStore();
    throw e;
  }
}

/** Statements run by a session in this process; `close` closes it, then `after` (its store). */
export function localExecutor(session: SqlSession, after: () => Promise<void> = async () => {}): SqlExecutor {
  return {
    get ref() {
      return session.ref;
    },
    remote: false,
    execute: (sql, signal) => session.execute(sql, signal === undefined ? {} : { signal }),
    copyTo: (sql, path, signal) => session.copyTo(sql, path, signal === undefined ? {} : { signal }),
    close: async () => {
      try {
        await session.close();
      } finally {
        await after();
      }
    },
  };
}
