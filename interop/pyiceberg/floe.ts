/**
 * floe's side of the pyiceberg cross-check (run by check.py, not by vitest):
 *
 *   node --import tsx interop/pyiceberg/floe.ts write <dir>
 *     creates a table partitioned by identity(category), day(ts), bucket[4](id) under <dir>/floe_t,
 *     appends two batches of rows (two snapshots), prints {"metadata": <file>, "rows": [...]}
 *   node --import tsx interop/pyiceberg/floe.ts read <metadata file> [<column> <value>]
 *     reads the table's rows (filtered by column = value when given) with `tableRows`, delete files
 *     applied; prints {"snapshots": n, "files": n, "deletes": n delete files, "specs": [spec id of
 *     each file], "schema": [[id, name, type], …] of the current schema, "rows": [...]}
 *   node --import tsx interop/pyiceberg/floe.ts compact <metadata file>
 *     rewrites every small file, per partition (minInputFiles 1; deletes applied); prints
 *     {"metadata": <new file>, "rewritten": n, "operation": …, "rows": [...]}
 *   node --import tsx interop/pyiceberg/floe.ts append <metadata file> <from> <to>
 *     appends the rows from ≤ id < to of `write`'s data to a table with the same columns (one fast
 *     append, the next metadata file); prints {"metadata": <new file>, "rows": [...]}
 *   node --import tsx interop/pyiceberg/floe.ts delete <dir>
 *     creates <dir>/floe_copy-on-write and <dir>/floe_merge-on-read like `write`'s table
 *     (identity(category)), appends rows 0–40 and 40–70, then deletes `id < 5 OR category = 'b'`
 *     and then `id = 50` with `deleteRows` in that mode; prints {"tables": {mode: {"metadata",
 *     "before": <snapshot id before the deletes>}}, "rows": [...] the rows left}
 *   node --import tsx interop/pyiceberg/floe.ts evolve <dir>
 *     creates <dir>/floe_evolved (identity(category)), appends rows, evolves the schema (a column
 *     added, one renamed, int → long, float → double, one dropped), appends, evolves the partition
 *     spec (bucket[4](id) added), appends; prints {"metadata", "first": <snapshot id>,
 *     "rows": [...] in the final schema, "firstRows": [...] of the first snapshot in its schema}
 *   node --import tsx interop/pyiceberg/floe.ts history <dir>
 *     creates <dir>/floe_history and runs the table-maintenance operations on it, each committed as
 *     the next metadata file: appends 1, 2, 3; tag v1 at 1, branch dev at 2 (with retention); main
 *     rolled back to 1; append 4; 3 cherry-picked onto main (5); snapshots expired with their files
 *     deleted; a stray file removed as an orphan. Prints {"metadata", "ids": {ref: [row ids]},
 *     "removed": [snapshot ids], "deleted": {kind: count}, "orphans": [paths]}
 *
 * Rows are JSON objects by column name: longs and ints as decimal strings, timestamps as epoch
 * micros (string), dates as epoch days (string), decimals as their text, doubles as numbers.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { appendRows, createTable } from "../../src/engine/append.ts";
import { runOnDataFiles } from "../../src/engine/data-file-errors.ts";
import { quoteIdent } from "../../src/engine/duck-types.ts";
import { deleteRows } from "../../src/engine/delete-rows.ts";
import { rewriteDataFiles } from "../../src/engine/rewrite-data-files.ts";
import { tableRows } from "../../src/engine/table-rows.ts";
import { applyUpdates } from "../../src/iceberg/apply-updates.ts";
import { deleteExpiredFiles, expiredFiles } from "../../src/iceberg/maintenance/expire-files.ts";
import { planExpireSnapshots } from "../../src/iceberg/maintenance/expire-snapshots.ts";
import { removeOrphanFiles } from "../../src/iceberg/maintenance/orphan-files.ts";
import { FILE_KINDS } from "../../src/iceberg/maintenance/reachable-files.ts";
import { createBranch, createTag } from "../../src/iceberg/maintenance/refs.ts";
import { rollbackTo } from "../../src/iceberg/maintenance/rollback.ts";
import type { TableChange } from "../../src/iceberg/maintenance/table-change.ts";
import { cherryPick } from "../../src/iceberg/producers/cherry-pick.ts";
import { checkRequirements } from "../../src/iceberg/requirements.ts";
import { eq, lt, or } from "../../src/iceberg/expressions/expression.ts";
import {
  type TableFile,
  readTableFile,
  writeNextMetadataFile,
} from "../../src/iceberg/producers/metadata-file.ts";
import { type Schema, schemaFromJson } from "../../src/iceberg/schema.ts";
import {
  addColumn,
  dropColumn,
  type Evolved,
  renameColumn,
  updateColumnType,
} from "../../src/iceberg/schema-update.ts";
import { planScan } from "../../src/iceberg/scan/plan-scan.ts";
import { typeToJson } from "../../src/iceberg/types.ts";
import type { TableUpdate } from "../../src/iceberg/updates.ts";
import type { ObjectStore } from "../../src/storage/object-store.ts";
import { ObjectStoreResolver } from "../../src/storage/open-object-store.ts";

const SCHEMA = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "category", required: false, type: "string" },
    { id: 3, name: "ts", required: false, type: "timestamptz" },
    { id: 4, name: "amount", required: false, type: "decimal(12, 2)" },
    { id: 5, name: "day", required: false, type: "date" },
    { id: 6, name: "price", required: false, type: "double" },
    { id: 7, name: "flag", required: false, type: "boolean" },
    { id: 8, name: "name", required: false, type: "string" },
    { id: 9, name: "local_ts", required: false, type: "timestamp" },
    { id: 10, name: "n", required: false, type: "int" },
  ],
});

// Leap day, a pre-1970 instant, nulls, negative decimals, non-ASCII strings.
const source = (from: number, to: number): string => `SELECT
    i AS id,
    CASE WHEN i % 10 = 9 THEN NULL ELSE ['a', 'b', 'c'][i % 3 + 1] END AS category,
    CASE WHEN i = 3 THEN TIMESTAMPTZ '1969-12-31 23:30:00.123456+00'
         ELSE TIMESTAMPTZ '2024-02-27 12:00:00+00' + to_hours(i * 5) + to_microseconds(i) END AS ts,
    (i * 137.25 - 2000)::DECIMAL(12, 2) AS amount,
    DATE '2024-01-01' + i::INTEGER AS day,
    CASE WHEN i % 11 = 5 THEN NULL ELSE i / 8.0 END AS price,
    i % 2 = 0 AS flag,
    'ñ-' || i AS name,
    TIMESTAMP '2000-01-01 00:00:00' + to_minutes(i * 97) AS local_ts,
    (i * 3 - 50)::INTEGER AS n
  FROM range(${from}, ${to}) AS r(i)`;

/** A SELECT of `from`'s columns in the JSON form above (floats and doubles as numbers), ordered by id. */
function rowsSql(schema: Schema, from: string): string {
  const cols = schema.fields.map((f) => {
    const c = quoteIdent(f.name);
    const t = typeof f.type === "object" && "type" in f.type ? f.type.type : "";
    const expr =
      t === "timestamp" || t === "timestamptz"
        ? `epoch_us(${c})::VARCHAR`
        : t === "date"
          ? `(${c} - DATE '1970-01-01')::VARCHAR`
          : t === "long" || t === "int" || t === "decimal" || t === "string"
            ? `${c}::VARCHAR`
            : c;
    return `${expr} AS ${c}`;
  });
  return `SELECT ${cols.join(", ")} FROM ${from} ORDER BY ${quoteIdent(schema.fields[0]!.name)}`;
}

async function json(duck: DuckDBConnection, sql: string): Promise<unknown[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJson() as unknown[];
}

async function write(duck: DuckDBConnection, dir: string, stores: ObjectStoreResolver): Promise<unknown> {
  const location = pathToFileURL(resolve(dir, "floe_t")).href;
  const store = stores.storeFor(location);
  let table = await createTable(store, {
    schema: SCHEMA,
    spec: {
      fields: [
        { sourceId: 2, name: "category", transform: { kind: "identity" } },
        { sourceId: 3, name: "ts_day", transform: { kind: "day" } },
        { sourceId: 1, name: "id_bucket", transform: { kind: "bucket", numBuckets: 4 } },
      ],
    },
    location,
  });
  table = await appendRows({ duck, store, table, source: source(0, 40) });
  table = await appendRows({ duck, store, table, source: source(40, 70) });
  return { metadata: table.location, rows: await json(duck, rowsSql(SCHEMA, `(${source(0, 70)}) AS s`)) };
}

/** Appends rows `from` ≤ id < `to` (the same columns as `write`) to a table written by another client. */
async function append(
  duck: DuckDBConnection,
  metadataFile: string,
  stores: ObjectStoreResolver,
  range: string[],
) {
  const location = metadataFile.includes("://") ? metadataFile : pathToFileURL(resolve(metadataFile)).href;
  const store = stores.storeFor(location);
  const table = await appendRows({
    duck,
    store,
    table: await readTableFile(store, location),
    source: source(Number(range[0]), Number(range[1])),
  });
  return {
    metadata: table.location,
    rows: await json(duck, rowsSql(SCHEMA, `(${source(Number(range[0]), Number(range[1]))}) AS s`)),
  };
}

async function read(
  duck: DuckDBConnection,
  metadataFile: string,
  stores: ObjectStoreResolver,
  filter: string[],
) {
  const location = metadataFile.includes("://") ? metadataFile : pathToFileURL(resolve(metadataFile)).href;
  const store = stores.storeFor(location);
  const { metadata } = await readTableFile(store, location);
  const table = await tableRows({
    duck,
    store,
    metadata,
    ...(filter.length === 2 ? { filter: eq(filter[0]!, filter[1]!) } : {}),
  });
  const files = table.tasks.map((t) => t.file.filePath);
  const deletes = [...new Set(table.tasks.flatMap((t) => t.deletes.map((d) => d.filePath)))];
  let rows: unknown[] = [];
  if (files.length > 0) {
    const sql = rowsSql(table.schema, `(${table.matching}) AS s`);
    rows = (await runOnDataFiles(duck, sql, [...files, ...deletes])).getRowObjectsJson() as unknown[];
  }
  return {
    snapshots: metadata.snapshots.length,
    files: files.length,
    deletes: deletes.length,
    specs: table.tasks.map((t) => t.spec.specId),
    schema: table.schema.fields.map((f) => [f.id, f.name, typeToJson(f.type)]),
    rows,
  };
}

/** `write`'s table in each delete mode, with two deletes (see the header). */
async function deletes(duck: DuckDBConnection, dir: string, stores: ObjectStoreResolver): Promise<unknown> {
  const tables: Record<string, unknown> = {};
  for (const mode of ["copy-on-write", "merge-on-read"] as const) {
    const location = pathToFileURL(resolve(dir, `floe_${mode}`)).href;
    const store = stores.storeFor(location);
    let table = await createTable(store, {
      schema: SCHEMA,
      spec: { fields: [{ sourceId: 2, name: "category", transform: { kind: "identity" } }] },
      location,
    });
    table = await appendRows({ duck, store, table, source: source(0, 40) });
    table = await appendRows({ duck, store, table, source: source(40, 70) });
    const before = String(table.metadata.currentSnapshotId);
    for (const filter of [or(lt("id", 5), eq("category", "b")), eq("id", 50)])
      table = (await deleteRows({ duck, store, table, filter, mode })).table;
    tables[mode] = { metadata: table.location, before };
  }
  const left = `(${source(0, 70)}) AS s WHERE NOT coalesce(id < 5 OR category = 'b', false) AND id <> 50`;
  return { tables, rows: await json(duck, rowsSql(SCHEMA, `(SELECT * FROM ${left}) AS s`)) };
}

/** The columns of the evolved table before (`v0`) and after its schema change. */
const EVOLVE_SCHEMA = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "a", required: false, type: "int" },
    { id: 3, name: "f", required: false, type: "float" },
    { id: 4, name: "name", required: false, type: "string" },
    { id: 5, name: "gone", required: false, type: "string" },
    { id: 6, name: "category", required: false, type: "string" },
  ],
});

// Floats are quarters (exact in 32 bits), so the promoted doubles compare exactly; after the
// change `a` holds values past the int range and `f` thirds.
const v0Source = (from: number, to: number): string => `SELECT
    i AS id, (i * 1000 - 7)::INTEGER AS a, (i / 4)::FLOAT AS f, 'n-' || i AS name, 'g-' || i AS gone,
    CASE WHEN i % 7 = 6 THEN NULL ELSE ['a', 'b', 'c'][i % 3 + 1] END AS category
  FROM range(${from}, ${to}) AS r(i)`;
const v1Source = (from: number, to: number): string => `SELECT
    i AS id, i * 3000000000 AS a, i / 3 AS f, 'l-' || i AS label,
    CASE WHEN i % 7 = 6 THEN NULL ELSE ['a', 'b', 'c'][i % 3 + 1] END AS category, 'x-' || i AS extra
  FROM range(${from}, ${to}) AS r(i)`;
const v0AsV1 = (from: number, to: number): string =>
  `SELECT id, a::BIGINT AS a, f::DOUBLE AS f, name AS label, category, NULL::VARCHAR AS extra FROM (${v0Source(from, to)})`;

/** Commits schema or spec changes to a table without a catalog: the next metadata file. */
async function commitUpdates(
  store: ObjectStore,
  table: TableFile,
  updates: TableUpdate[],
): Promise<TableFile> {
  return writeNextMetadataFile(store, table, applyUpdates(table.metadata, updates));
}

/** Creates, appends, evolves the schema, appends, evolves the spec, appends (see the header). */
async function evolve(duck: DuckDBConnection, dir: string, stores: ObjectStoreResolver): Promise<unknown> {
  const location = pathToFileURL(resolve(dir, "floe_evolved")).href;
  const store = stores.storeFor(location);
  let table = await createTable(store, {
    schema: EVOLVE_SCHEMA,
    spec: { fields: [{ sourceId: 6, name: "category", transform: { kind: "identity" } }] },
    location,
  });
  table = await appendRows({ duck, store, table, source: v0Source(0, 20) });
  const first = table.metadata.currentSnapshotId;

  let e: Evolved = { schema: EVOLVE_SCHEMA, lastColumnId: table.metadata.lastColumnId };
  e = addColumn(e.schema, e.lastColumnId, { name: "extra", type: { type: "string" } });
  e = renameColumn(e.schema, e.lastColumnId, "name", "label");
  e = updateColumnType(e.schema, e.lastColumnId, "a", { type: "long" });
  e = updateColumnType(e.schema, e.lastColumnId, "f", { type: "double" });
  e = dropColumn(e.schema, e.lastColumnId, "gone");
  table = await commitUpdates(store, table, [
    { action: "add-schema", schema: e.schema, lastColumnId: e.lastColumnId },
    { action: "set-current-schema", schemaId: -1 },
  ]);
  table = await appendRows({ duck, store, table, source: v1Source(20, 40) });

  table = await commitUpdates(store, table, [
    {
      action: "add-spec",
      spec: {
        fields: [
          { sourceId: 6, name: "category", transform: { kind: "identity" } },
          { sourceId: 1, name: "id_bucket", transform: { kind: "bucket", numBuckets: 4 } },
        ],
      },
    },
    { action: "set-default-spec", specId: -1 },
  ]);
  table = await appendRows({ duck, store, table, source: v1Source(40, 60) });

  const final = table.metadata.schemas.find((s) => s.schemaId === table.metadata.currentSchemaId)!;
  const all = `(${v0AsV1(0, 20)} UNION ALL ${v1Source(20, 60)}) AS s`;
  return {
    metadata: table.location,
    first: String(first),
    rows: await json(duck, rowsSql(final, all)),
    firstRows: await json(duck, rowsSql(EVOLVE_SCHEMA, `(${v0Source(0, 20)}) AS s`)),
  };
}

const HISTORY_SCHEMA = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "category", required: false, type: "string" },
  ],
});

async function history(duck: DuckDBConnection, dir: string, stores: ObjectStoreResolver) {
  const location = pathToFileURL(resolve(dir, "floe_history")).href;
  const store = stores.storeFor(location);
  const rowsOf = (from: number, to: number) =>
    `SELECT i AS id, ['x', 'y'][i % 2 + 1] AS category FROM range(${from}, ${to}) AS r(i)`;
  const commit = async (t: TableFile, change: TableChange, nowMs: number): Promise<TableFile> => {
    checkRequirements(t.metadata, change.requirements);
    return writeNextMetadataFile(store, t, applyUpdates(t.metadata, change.updates, { nowMs }));
  };
  let t = await createTable(store, {
    schema: HISTORY_SCHEMA,
    spec: { fields: [{ sourceId: 2, name: "category", transform: { kind: "identity" } }] },
    location,
  });
  const append = async (id: bigint, from: number, to: number) => {
    const nowMs = Number(id) * 1000;
    t = await appendRows({ duck, store, table: t, source: rowsOf(from, to), snapshotId: id, nowMs });
  };
  await append(1n, 0, 10);
  await append(2n, 10, 20);
  await append(3n, 20, 30);
  t = await commit(t, createTag(t.metadata, "v1", 1n, { maxRefAgeMs: 10 * 365 * 86_400_000 }), 3100);
  t = await commit(t, createBranch(t.metadata, "dev", 2n, { minSnapshotsToKeep: 2 }), 3200);
  t = await commit(t, rollbackTo(t.metadata, 1n), 3300);
  await append(4n, 30, 35);
  const pick = await cherryPick({
    metadata: t.metadata,
    store,
    pickSnapshotId: 3n,
    snapshotId: 5n,
    nowMs: 5000,
  });
  t = await commit(t, pick, 5000);

  const plan = planExpireSnapshots(t.metadata, { nowMs: 6000, olderThanMs: 6000, retainLast: 1 });
  const before = t.metadata;
  t = await commit(t, plan, 6000);
  const files = await expiredFiles({ before, after: t.metadata, store });
  const report = await deleteExpiredFiles(store, t.metadata, files);
  if (report.failed.length > 0) throw new Error(`deletes failed: ${JSON.stringify(report.failed)}`);

  const stray = `${location}/data/category=x/stray.parquet`;
  await store.put(stray, new TextEncoder().encode("not a table file"));
  const orphans = await removeOrphanFiles({
    store,
    table: t,
    nowMs: Date.now() + 30 * 86_400_000,
    dryRun: false,
  });

  const ids: Record<string, string[]> = {};
  for (const ref of ["main", "dev", "v1"]) {
    const found: string[] = [];
    const paths: string[] = [];
    for await (const task of planScan({ metadata: t.metadata, store, ref })) paths.push(task.file.filePath);
    const list = paths.map((p) => `'${fileURLToPath(p)}'`).join(", ");
    const got = (await json(duck, `SELECT id FROM read_parquet([${list}])`)) as { id: string }[];
    for (const r of got) found.push(String(r.id));
    ids[ref] = found.sort((a, b) => Number(a) - Number(b));
  }
  return {
    metadata: t.location,
    ids,
    removed: plan.removedSnapshotIds.map(String).sort(),
    deleted: Object.fromEntries(FILE_KINDS.map((k) => [k, files[k].length])),
    orphans: orphans.orphans,
  };
}

/** Compaction, then floe's own read of the rows. */
async function compact(duck: DuckDBConnection, metadataFile: string, stores: ObjectStoreResolver) {
  const location = metadataFile.includes("://") ? metadataFile : pathToFileURL(resolve(metadataFile)).href;
  const store = stores.storeFor(location);
  const table = await readTableFile(store, location);
  // every partition here has one or two small files: rewrite even single ones (deletes applied)
  const result = await rewriteDataFiles({ duck, store, table, minInputFiles: 1 });
  const rows = await tableRows({ duck, store, metadata: result.table.metadata });
  return {
    metadata: result.table.location,
    rewritten: result.rewrittenDataFiles,
    operation: result.snapshot?.summary?.operation,
    rows: await json(duck, rowsSql(rows.schema, `(${rows.sql}) AS s`)),
  };
}

const [command, arg, ...rest] = process.argv.slice(2);
const instance = await DuckDBInstance.create(":memory:");
const duck = await instance.connect();
const stores = new ObjectStoreResolver();
try {
  await duck.run("SET TimeZone = 'UTC'");
  let out: unknown;
  if (command === "write" && arg) out = await write(duck, arg, stores);
  else if (command === "read" && arg) out = await read(duck, arg, stores, rest);
  else if (command === "append" && arg && rest.length === 2) out = await append(duck, arg, stores, rest);
  else if (command === "evolve" && arg) out = await evolve(duck, arg, stores);
  else if (command === "history" && arg) out = await history(duck, arg, stores);
  else if (command === "delete" && arg) out = await deletes(duck, arg, stores);
  else if (command === "compact" && arg) out = await compact(duck, arg, stores);
  else
    throw new Error(
      "usage: floe.ts write <dir> | read <metadata file> [<column> <value>] | append <metadata file> <from> <to> | evolve <dir> | history <dir> | delete <dir> | compact <metadata file>",
    );
  process.stdout.write(JSON.stringify(out) + "\n");
} finally {
  duck.closeSync();
  instance.closeSync();
  await stores.close();
}
