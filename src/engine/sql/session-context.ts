import type { DuckDBConnection } from "@duckdb/node-api";
import type { CatalogContext } from "../../catalog/context.ts";
import type { ObjectStoreResolver } from "../../storage/open-object-store.ts";
import type { ScanReport } from "./explain.ts";
import type { Transaction } from "./transaction.ts";

/** What the parts of a SQL session share: the catalog, DuckDB, and the session's current ref. */
export interface SessionContext {
  readonly catalog: CatalogContext;
  readonly objects: ObjectStoreResolver;
  readonly duck: DuckDBConnection;
  /** The reference statements read and write: a branch, a tag or `ref@hash`. */
  ref: string;
  /** DuckDB views standing for Iceberg tables, made for the statement being run. */
  readonly views: Set<string>;
  /** Author of the commits this session makes. */
  readonly author?: string;
  /** The `application` property of its commits; default `floe sql`. */
  readonly application?: string;
  /** How the tables the last query read were planned (for EXPLAIN). */
  scans?: ScanReport[];
  /** The open transaction (BEGIN … COMMIT), if any: writes are staged in it. */
  tx?: Transaction;
}
