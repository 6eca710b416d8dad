import { type DuckDBConnection, DuckDBInstance, type Json } from "@duckdb/node-api";
import { join } from "node:path";
import { openCatalog } from "../../src/catalog/catalog.ts";
import { SqlSession } from "../../src/engine/sql/session.ts";
import { openKvStore } from "../../src/storage/open-kv.ts";
import { ObjectStoreResolver } from "../../src/storage/open-object-store.ts";
import { openVersionStore } from "../../src/versioning/version-store.ts";

/** The 8 TPC-H tables, smallest first (the order they are loaded in). */
export const TABLES = [
  "region",
  "nation",
  "supplier",
  "customer",
  "part",
  "partsupp",
  "orders",
  "lineitem",
] as const;

/** An engine that runs a query to its last row in this process. */
export interface LocalEngine {
  readonly name: string;
  /** Runs `sql` and returns every row (values as JSON, as `floe sql` gives them). */
  query(sql: string): Promise<Json[][]>;
  close(): Promise<void>;
}

async function drain(batches: AsyncIterable<Json[][]>): Promise<Json[][]> {
  const rows: Json[][] = [];
  for await (const b of batches) for (const r of b) rows.push(r);
  return rows;
}

/**
 * floe's SQL engine as `floe sql` runs it on a PostgreSQL catalog: a `SqlSession` on the catalog's
 * store and warehouse; each query plans the Iceberg tables it names and reads their data files.
 */
export async function floeEngine(store: string, warehouse: string): Promise<LocalEngine> {
  const kv = await openKvStore(store);
  const versions = await openVersionStore(kv);
  const objects = new ObjectStoreResolver({});
  const catalog = openCatalog({ store: versions, objects, warehouse });
  const session = await SqlSession.open({ catalog, objects, author: "bench:tpch" });
  return {
    name: "floe",
    query: async (sql) => drain((await session.execute(sql)).batches),
    close: async () => {
      await session.close();
      await versions.close();
      await objects.close();
    },
  };
}

/**
 * Plain DuckDB (the same @duckdb/node-api as floe's engine) over the generated Parquet files: views
 * `tpch.<table>` over `read_parquet('<dir>/<table>.parquet')`, so the queries' text is the same.
 */
export async function duckdbEngine(dir: string): Promise<LocalEngine> {
  const instance = await DuckDBInstance.create(":memory:");
  const duck: DuckDBConnection = await instance.connect();
  await duck.run("CREATE SCHEMA tpch");
  for (const t of TABLES)
    await duck.run(`CREATE VIEW tpch.${t} AS SELECT * FROM read_parquet('${join(dir, `${t}.parquet`)}')`);
  return {
    name: "DuckDB",
    query: async (sql) => drain((await duck.stream(sql)).yieldRowsJson()),
    close: async () => {
      duck.closeSync();
      instance.closeSync();
    },
  };
}

/**
 * The queries with each TPC-H table it names qualified as `tpch.<table>` (floe resolves
 * `namespace.table`), found by their positions in DuckDB's parse tree, so that a column alias
 * such as Q9's `nation` is left alone. The text is otherwise unchanged.
 */
export async function qualify(queries: readonly string[]): Promise<string[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const duck = await instance.connect();
  try {
    const out: string[] = [];
    for (const q of queries) out.push(await qualifyOne(duck, q));
    return out;
  } finally {
    duck.closeSync();
    instance.closeSync();
  }
}

async function qualifyOne(duck: DuckDBConnection, sql: string): Promise<string> {
  const reader = await duck.runAndReadAll(`SELECT json_serialize_sql($1::VARCHAR)`, [sql]);
  const tree = String(reader.getRows()[0]?.[0]);
  const names = TABLES.join("|");
  const at = [
    ...tree.matchAll(new RegExp(`"query_location":(\\d+),"schema_name":"","table_name":"(${names})"`, "g")),
  ].map((m) => ({ pos: Number(m[1]), table: m[2]! }));
  let out = sql;
  for (const { pos, table } of at.sort((a, b) => b.pos - a.pos)) {
    if (out.slice(pos, pos + table.length).toLowerCase() !== table)
      throw new Error(`qualify: expected ${table} at ${pos} of:\n${sql}`);
    out = `${out.slice(0, pos)}tpch.${out.slice(pos)}`;
  }
  return out;
}

/** Whether two results are the same rows: equal values, numbers within a relative 1e-9. */
export function sameRows(a: Json[][], b: Json[][]): string | undefined {
  if (a.length !== b.length) return `${a.length} rows vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.length !== y.length) return `row ${i}: ${x.length} columns vs ${y.length}`;
    for (let j = 0; j < x.length; j++)
      if (!sameValue(x[j]!, y[j]!)) return `row ${i} column ${j}: ${String(x[j])} vs ${String(y[j])}`;
  }
  return undefined;
}

function sameValue(x: Json, y: Json): boolean {
  if (x === y) return true;
  const [a, b] = [Number(x), Number(y)];
  if (typeof x === "object" || typeof y === "object" || Number.isNaN(a) || Number.isNaN(b))
    return JSON.stringify(x) === JSON.stringify(y);
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}
