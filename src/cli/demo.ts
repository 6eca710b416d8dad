import type { Json } from "@duckdb/node-api";
import { type FloeConfig, s3Settings } from "../core/config.ts";
import { isFloeError } from "../core/errors.ts";
import { CliError } from "./common.ts";

/** The namespace `floe up --demo` loads; its presence on the default branch means "already loaded". */
export const DEMO_NAMESPACE = "demo";
/** The branch the demo makes, with a change `main` does not have. */
export const DEMO_BRANCH = "dev";

/**
 * The demo data, generated deterministically in DuckDB (`range` plus `hash` of the row number): no
 * file to download, the same rows on every machine. Each statement is one commit, made through the
 * SQL session like any user's.
 */
function mainStatements(): string[] {
  const ns = DEMO_NAMESPACE;
  return [
    `CREATE NAMESPACE ${ns}`,
    `CREATE TABLE ${ns}.customers AS
       SELECT i AS customer_id,
              'customer ' || i AS name,
              (['Amsterdam', 'Berlin', 'Lisbon', 'Oslo', 'Paris', 'Rome'])[CAST(1 + (hash(i, 'city') >> 20) % 6 AS INTEGER)] AS city,
              DATE '2023-01-01' + CAST((hash(i, 'signup') >> 20) % 365 AS INTEGER) AS signup_date
       FROM range(1, 1001) AS t(i)`,
    `CREATE TABLE ${ns}.orders PARTITIONED BY (months(order_ts)) AS ${ordersQuery(1, 5000, "2024-01-01", 366)}`,
  ];
}

function devStatements(): string[] {
  return [
    `CREATE BRANCH ${DEMO_BRANCH}`,
    `USE REFERENCE ${DEMO_BRANCH}`,
    `INSERT INTO ${DEMO_NAMESPACE}.orders ${ordersQuery(5001, 500, "2025-01-01", 31)}`,
  ];
}

/** `count` orders numbered from `first`, placed over `days` days from `start`. */
function ordersQuery(first: number, count: number, start: string, days: number): string {
  return `SELECT i AS order_id,
                 CAST(1 + (hash(i, 'customer') >> 20) % 1000 AS BIGINT) AS customer_id,
                 TIMESTAMP '${start} 00:00:00' + to_seconds(CAST((hash(i, 'ts') >> 20) % ${days * 86400} AS BIGINT)) AS order_ts,
                 CAST(CAST((hash(i, 'amount') >> 20) % 50000 AS BIGINT) / 100 AS DECIMAL(10, 2)) AS amount,
                 (['placed', 'shipped', 'delivered', 'returned'])[CAST(1 + (hash(i, 'status') >> 20) % 4 AS INTEGER)] AS status
          FROM range(${first}, ${first + count}) AS t(i)`;
}

export interface DemoTable {
  readonly ref: string;
  readonly table: string;
  readonly rows: number;
}

export type DemoOutcome =
  { readonly loaded: true; readonly tables: DemoTable[] } | { readonly loaded: false };

/**
 * Loads the demo into the catalog the configuration names, unless the default branch already holds
 * the demo namespace. Runs before the server opens the store (an embedded store is one process's).
 */
export async function loadDemo(config: FloeConfig, author: string): Promise<DemoOutcome> {
  const [{ openKvStore }, { openVersionStore }, { ObjectStoreResolver }, { openCatalog }, { SqlSession }] =
    await Promise.all([
      import("../storage/open-kv.ts"),
      import("../versioning/version-store.ts"),
      import("../storage/open-object-store.ts"),
      import("../catalog/catalog.ts"),
      import("../engine/sql/session.ts"),
    ]);
  const kv = await openKvStore(config.store, { poolSize: config.storePoolSize }).catch((e: unknown) => {
    if (isFloeError(e, "SERVICE_UNAVAILABLE"))
      throw new CliError(
        "cannot load the demo: another floe process holds the embedded catalog; stop it first",
      );
    throw e;
  });
  const store = await openVersionStore(kv, { defaultBranch: config.defaultBranch });
  const objects = new ObjectStoreResolver({ s3: s3Settings(config) });
  try {
    const catalog = openCatalog({ store, objects, warehouse: config.warehouse });
    const session = await SqlSession.open({ catalog, objects, ref: config.defaultBranch, author });
    const run = async (sql: string): Promise<Json[][]> => {
      try {
        const r = await session.execute(sql);
        const rows: Json[][] = [];
        for await (const batch of r.batches) rows.push(...batch);
        return rows;
      } catch (e) {
        throw new CliError(`loading the demo failed at '${sql.split("\n")[0]}': ${(e as Error).message}`);
      }
    };
    try {
      const namespaces = await run("SHOW NAMESPACES");
      if (namespaces.some((row) => row[0] === DEMO_NAMESPACE)) return { loaded: false };
      for (const sql of mainStatements()) await run(sql);
      for (const sql of devStatements()) await run(sql);
      const tables: DemoTable[] = [];
      for (const ref of [config.defaultBranch, DEMO_BRANCH]) {
        await run(`USE REFERENCE ${ref}`);
        for (const table of ["customers", "orders"]) {
          const [row] = await run(`SELECT count(*) FROM ${DEMO_NAMESPACE}.${table}`);
          tables.push({ ref, table: `${DEMO_NAMESPACE}.${table}`, rows: Number(row?.[0]) });
        }
      }
      return { loaded: true, tables };
    } finally {
      await session.close();
    }
  } finally {
    await store.close();
    await objects.close();
  }
}

/** What `floe up --demo` prints about the demo, before the banner. */
export function demoLines(outcome: DemoOutcome, defaultBranch: string): string[] {
  const lines: string[] = [];
  if (outcome.loaded) {
    lines.push("Demo loaded:");
    for (const t of outcome.tables) lines.push(`  ${t.ref.padEnd(6)} ${t.table.padEnd(16)} ${t.rows} rows`);
    lines.push(`  (${DEMO_BRANCH} = ${defaultBranch} plus 500 orders of January 2025)`);
  } else {
    lines.push(`Demo: namespace '${DEMO_NAMESPACE}' already exists on ${defaultBranch}, nothing loaded.`);
  }
  lines.push(
    "",
    "Query it, in another terminal:",
    `  node bin/floe.js sql -e "SELECT status, count(*) AS orders, sum(amount) AS total FROM demo.orders GROUP BY status ORDER BY status"`,
    `  node bin/floe.js sql --branch ${DEMO_BRANCH} -e "SELECT count(*) FROM demo.orders WHERE order_ts >= TIMESTAMP '2025-01-01'"`,
    `  node bin/floe.js diff ${defaultBranch} ${DEMO_BRANCH}`,
    "",
  );
  return lines;
}
