import type { DuckDBConnection } from "@duckdb/node-api";
import { badRequest, FloeError } from "../../core/errors.ts";
import { contentAt, readHash } from "../../catalog/context.ts";
import type { SnapshotSelector } from "../../iceberg/scan/select-snapshot.ts";
import type { TableMetadata } from "../../iceberg/table-metadata.ts";
import { stringifyJson } from "../../core/json.ts";
import { quoteIdent, sqlString } from "../duck-types.ts";
import { duckFiles } from "../duck-files.ts";
import { type FileScanTask, planScan } from "../../iceberg/scan/plan-scan.ts";
import { readSql } from "../read-sql.ts";
import { liveRowsSql } from "../live-rows-sql.ts";
import { selectSnapshot } from "../../iceberg/scan/select-snapshot.ts";
import { METADATA_TABLES, metadataTableQuery, SNAPSHOT_TABLES } from "./metadata-tables.ts";
import { decodeNamespace } from "./nested-names.ts";
import { decodeTableName, rewriteTableRefs } from "./rewrite.ts";
import { runnableSql } from "./view-sql.ts";
import type { SessionContext } from "./session-context.ts";
import type { ScanReport } from "./explain.ts";
import { scanFilters, tableKey, type TableName } from "./scan-filters.ts";
import type { Schema } from "../../iceberg/schema.ts";
import { alwaysTrue, type Expression, expressionToString, or } from "../../iceberg/expressions/expression.ts";

/** DuckDB's own schemas: a name in one of them that is no Iceberg table is DuckDB's to resolve. */
const DUCKDB_SCHEMAS = new Set(["main", "information_schema", "pg_catalog", "temp", "system"]);

/**
 * Makes the Iceberg tables a query names visible to DuckDB: each `ns.t` (also `t@ref`,
 * `t#version=…`, `t#timestamp=…` from `rewriteTableRefs`) that is a table on the session's ref
 * (or the named one) becomes the view `"ns"."t…"` over the files floe's planner picks for the
 * chosen snapshot, columns mapped by field id. Views made for an earlier statement are dropped
 * first, so a table dropped since is not seen. Other names in DuckDB's own schemas (`main`,
 * `information_schema`, …) are left to DuckDB; any other is an unknown table, named with the ref.
 */
export async function registerTables(s: SessionContext, sql: string): Promise<void> {
  for (const view of s.views) await s.duck.run(`DROP VIEW IF EXISTS ${view}`);
  s.views.clear();
  s.scans = [];
  const found: Found = { tables: new Map(), views: [] };
  await collect(s, sql, 0, found);
  for (const [view, t] of found.tables) {
    await s.duck.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(t.schema)}`);
    const filter = t.filters.some((f) => f.kind === "true") ? undefined : or(...t.filters);
    const table = await tableSql(s, t.metadata, t.selector, filter);
    await s.duck.run(`CREATE OR REPLACE VIEW ${view} AS ${table.sql}`);
    s.views.add(view);
    s.scans.push({ ...table.scan, table: t.name });
  }
  for (const v of found.views) {
    await s.duck.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(v.schema)}`);
    await s.duck.run(`CREATE OR REPLACE VIEW ${v.view}${v.columns} AS ${v.sql}`);
    s.views.add(v.view);
  }
}

/** How deep Iceberg views may name other views. */
const MAX_VIEW_DEPTH = 16;

/** What a statement reads, found before any DuckDB view is made. */
interface Found {
  /** Iceberg tables by DuckDB view name, with the filter of every place the statement reads them. */
  readonly tables: Map<string, FoundTable>;
  /** Metadata tables and Iceberg views, in the order they can be created (a view after those it names). */
  readonly views: FoundView[];
}

interface FoundView {
  readonly view: string;
  readonly schema: string;
  /** The view's column names, ` (a, b)`, or empty. */
  readonly columns: string;
  readonly sql: string;
}

interface FoundTable {
  readonly name: string;
  readonly schema: string;
  readonly metadata: TableMetadata;
  readonly selector: SnapshotSelector;
  readonly filters: Expression[];
}

async function collect(s: SessionContext, sql: string, depth: number, found: Found): Promise<void> {
  const tree = await queryTree(s.duck, sql);
  if (tree === undefined) return; // DuckDB runs it as it is
  const tables = new Map<
    string,
    {
      name: TableName;
      display: string;
      metadata: TableMetadata;
      selector: SnapshotSelector;
      schema: Schema;
    }
  >();
  for (const t of namedTables(tree)) {
    const decoded = decodeTableName(t.table);
    const { ref, version, timestamp } = decoded;
    // `t$snapshots`: a metadata table of t
    const dollar = decoded.name.lastIndexOf("$");
    const meta = dollar > 0 ? decoded.name.slice(dollar + 1).toLowerCase() : undefined;
    const metaTable = METADATA_TABLES.find((x) => x === meta);
    const name = metaTable ? decoded.name.slice(0, dollar) : decoded.name;
    const catalogRef = ref ?? s.ref;
    const key = [...decodeNamespace(t.schema), name]; // `"a\u001fb".t` is a.b.t (nested-names.ts)
    const view = `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
    // A table the open transaction changed reads as the transaction left it.
    const pending = ref === undefined ? s.tx?.table(key) : undefined;
    const content = await contentAt(s.catalog, await readHash(s.catalog, catalogRef), key).catch(
      (e: unknown) => {
        if (ref !== undefined) throw e; // an unknown reference in `t@ref` is the user's error
        return undefined;
      },
    );
    if (content?.type === "ICEBERG_VIEW" && !metaTable) {
      // An Iceberg view: its query, with the tables and views it names made visible too.
      if (version !== undefined || timestamp !== undefined)
        throw badRequest(`View ${key.join(".")} has no time travel`);
      if (found.views.some((v) => v.view === view)) continue;
      if (depth >= MAX_VIEW_DEPTH)
        throw badRequest(`View ${key.join(".")} names views more than ${MAX_VIEW_DEPTH} deep (a cycle?)`);
      const m = await s.catalog.files.readView(content.metadataLocation as string);
      const body = rewriteTableRefs(runnableSql(m, key.join(".")));
      await collect(s, body, depth + 1, found);
      const current = m.versions.find((v) => v.versionId === m.currentVersionId);
      const schema = m.schemas.find((x) => x.schemaId === current?.schemaId);
      const names = schema ? ` (${schema.fields.map((f) => quoteIdent(f.name)).join(", ")})` : "";
      found.views.push({ view, schema: t.schema, columns: names, sql: body });
      continue;
    }
    if (content?.type !== "ICEBERG_TABLE" && !pending) {
      const duckSchema = DUCKDB_SCHEMAS.has(t.schema.toLowerCase());
      if (ref !== undefined || version !== undefined || timestamp !== undefined || !duckSchema)
        throw new FloeError("NOT_FOUND", `Table ${key.join(".")} does not exist on ${catalogRef}`);
      continue;
    }
    const metadata =
      pending?.metadata ?? (await s.catalog.files.readTable(content?.metadataLocation as string));
    if (metaTable) {
      if (!SNAPSHOT_TABLES.has(metaTable) && (version !== undefined || timestamp !== undefined))
        throw badRequest(
          `Metadata table ${key.join(".")}$${metaTable} has no time travel (it lists every snapshot)`,
        );
      const { snapshot } = selectSnapshot(
        metadata,
        await snapshotSelector(s, metadata, key, version, timestamp),
      );
      const store = s.objects.storeFor(metadata.location);
      const query = await metadataTableQuery(store, metadata, metaTable, snapshot);
      found.views.push({ view, schema: t.schema, columns: "", sql: query });
      continue;
    }
    const selector = await snapshotSelector(s, metadata, key, version, timestamp);
    const { schema } = selectSnapshot(metadata, selector);
    const display =
      key.join(".") +
      (ref === undefined ? "" : `@${ref}`) +
      (version === undefined ? "" : ` FOR VERSION AS OF ${version}`) +
      (timestamp === undefined ? "" : ` FOR TIMESTAMP AS OF ${timestamp}`);
    tables.set(tableKey(t), { name: t, display, metadata, selector, schema });
  }
  const filters = scanFilters(tree, (t) => tables.get(tableKey(t))?.schema);
  for (const [k, t] of tables) {
    const { schema, table } = t.name;
    const view = `${quoteIdent(schema)}.${quoteIdent(table)}`;
    const entry = found.tables.get(view) ?? {
      name: t.display,
      schema,
      metadata: t.metadata,
      selector: t.selector,
      filters: [],
    };
    entry.filters.push(...(filters.get(k) ?? [alwaysTrue()]));
    found.tables.set(view, entry);
  }
}

/** What `tableSql` read: the query, and how floe's planner pruned the files (for EXPLAIN). */
export interface TableScan {
  readonly sql: string;
  readonly scan: Omit<ScanReport, "table">;
}

/**
 * The rows of a table at a snapshot, as a query over its data files: `readSql` over the files the
 * planner picks when none has delete files, else `liveRowsSql` with every position and equality
 * delete applied. With a filter, files that cannot hold a matching row are left out (the rows of
 * the others are not filtered). Files on S3 are read as `duckFiles` says.
 */
export async function tableSql(
  s: SessionContext,
  metadata: TableMetadata,
  selector: SnapshotSelector,
  filter?: Expression,
): Promise<TableScan> {
  // The same snapshot read the same way plans the same files: reuse the query (metadata objects
  // are cached by location, so a changed table is another object). Not when the files were
  // cached S3 copies, whose pins end with the statement.
  const byMetadata = planned(s.duck);
  const key = `${stringifyJson(selector)}|${filter ? expressionToString(filter) : ""}`;
  const known = byMetadata.get(metadata)?.get(key);
  if (known) return known;
  const store = s.objects.storeFor(metadata.location);
  const plan = planScan({ metadata, store, ...selector, ...(filter ? { filter } : {}) });
  const tasks: FileScanTask[] = [];
  for await (const task of plan) tasks.push(task);
  const paths = tasks.map((t) => t.file.filePath);
  const deletes = tasks.some((t) => t.deletes.length > 0);
  const scan: Omit<ScanReport, "table"> = {
    snapshotId: plan.snapshot?.snapshotId,
    filter: filter ? expressionToString(filter) : undefined,
    metrics: { ...plan.metrics },
  };
  const sql = deletes
    ? await liveRowsSql(s.duck, plan.schema, tasks, { files: false })
    : await readSql(s.duck, plan.schema, paths);
  const out = { sql, scan };
  if (!duckFiles(s.duck).readsCopies(paths)) {
    const queries = byMetadata.get(metadata) ?? new Map<string, TableScan>();
    if (queries.size >= MAX_QUERIES_PER_SNAPSHOT) queries.clear();
    byMetadata.set(metadata, queries.set(key, out));
  }
  return out;
}

/** How many ways of reading one table's metadata `tableSql` keeps (different snapshots and filters). */
const MAX_QUERIES_PER_SNAPSHOT = 32;

const plannedByConnection = new WeakMap<DuckDBConnection, WeakMap<TableMetadata, Map<string, TableScan>>>();

function planned(duck: DuckDBConnection): WeakMap<TableMetadata, Map<string, TableScan>> {
  let m = plannedByConnection.get(duck);
  if (!m) plannedByConnection.set(duck, (m = new WeakMap()));
  return m;
}

async function snapshotSelector(
  s: SessionContext,
  m: TableMetadata,
  key: readonly string[],
  version: string | undefined,
  timestamp: string | undefined,
): Promise<SnapshotSelector> {
  if (version !== undefined) {
    if (/^\d+$/.test(version)) return { snapshotId: BigInt(version) };
    if (m.refs[version]) return { ref: version };
    throw new FloeError("NOT_FOUND", `Table ${key.join(".")} has no snapshot, branch or tag '${version}'`);
  }
  if (timestamp !== undefined) {
    const reader = await s.duck
      .runAndReadAll(`SELECT epoch_ms(CAST(${sqlString(timestamp)} AS TIMESTAMPTZ))`)
      .catch(() => {
        throw badRequest(`Invalid timestamp '${timestamp}' in TIMESTAMP AS OF`);
      });
    return { asOfTimestampMs: Number(reader.getRows()[0]?.[0]) };
  }
  return {};
}

/** DuckDB's parse tree of a SELECT (`json_serialize_sql`); a syntax error is a BAD_REQUEST with its position. */
export async function parseTree(duck: DuckDBConnection, query: string): Promise<unknown> {
  const reader = await duck.runAndReadAll(`SELECT json_serialize_sql(${sqlString(query)})`);
  const tree = JSON.parse(String(reader.getRows()[0]?.[0])) as {
    error: boolean;
    error_type?: string;
    error_message?: string;
    position?: string;
  };
  if (!tree.error) return tree;
  if (tree.error_type === "parser")
    throw badRequest(`Syntax error: ${tree.error_message} at position ${tree.position ?? "?"}`);
  return undefined; // not a SELECT (SET, PRAGMA, …)
}

/** DuckDB's parse tree of what a statement reads (a DESCRIBE names a table, not a query); undefined for SET etc. */
async function queryTree(duck: DuckDBConnection, sql: string): Promise<unknown> {
  if (/^\s*(SET|RESET)\b/i.test(sql)) return undefined; // a setting reads no table
  const body = sql.replace(/^\s*(EXPLAIN(\s+ANALYZE)?|DESCRIBE|SUMMARIZE)\s+/i, "");
  const query = /^\s*(SELECT|WITH|VALUES|FROM|TABLE|\()/i.test(body) ? body : `SELECT * FROM ${body}`;
  return parseTree(duck, query);
}

/** The `schema.table` names a query reads, from DuckDB's parse tree. */
function namedTables(tree: unknown): TableName[] {
  const out = new Map<string, TableName>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === "object") {
      const n = node as Record<string, unknown>;
      if (
        n.type === "BASE_TABLE" &&
        n.catalog_name === "" &&
        typeof n.schema_name === "string" &&
        n.schema_name !== ""
      ) {
        const t = { schema: n.schema_name, table: String(n.table_name) };
        out.set(tableKey(t), t);
      }
      Object.values(n).forEach(visit);
    }
  };
  visit(tree);
  return [...out.values()];
}
