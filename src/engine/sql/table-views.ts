import type { DuckDBConnection } from "@duckdb/node-api";
import { badRequest, FloeError } from "../../core/errors.ts";
import { contentAt, readHash } from "../../catalog/context.ts";
import type { SnapshotSelector } from "../../iceberg/scan/select-snapshot.ts";
import type { TableMetadata } from "../../iceberg/table-metadata.ts";
import { quoteIdent, sqlString } from "../duck-types.ts";
import { duckFiles } from "../duck-files.ts";
import { planScan } from "../../iceberg/scan/plan-scan.ts";
import { readSql } from "../read-sql.ts";
import { tableQuery } from "../table-rows.ts";
import { selectSnapshot } from "../../iceberg/scan/select-snapshot.ts";
import { METADATA_TABLES, metadataTableQuery, SNAPSHOT_TABLES } from "./metadata-tables.ts";
import { decodeNamespace } from "./nested-names.ts";
import { decodeTableName, rewriteTableRefs } from "./rewrite.ts";
import { runnableSql } from "./view-sql.ts";
import type { SessionContext } from "./session-context.ts";

/** A table a query names as `schema.table` (DuckDB's parts), as the parser reported it. */
interface NamedTable {
  readonly schema: string;
  readonly table: string;
}

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
  duckFiles(s.duck).release(); // the previous statement's cached files
  await registerNamed(s, sql, 0);
}

/** How deep Iceberg views may name other views. */
const MAX_VIEW_DEPTH = 16;

async function registerNamed(s: SessionContext, sql: string, depth: number): Promise<void> {
  for (const t of await namedTables(s.duck, sql)) {
    const decoded = decodeTableName(t.table);
    const { ref, version, timestamp } = decoded;
    // `t$snapshots`: a metadata table of t
    const dollar = decoded.name.lastIndexOf("$");
    const meta = dollar > 0 ? decoded.name.slice(dollar + 1).toLowerCase() : undefined;
    const metaTable = METADATA_TABLES.find((x) => x === meta);
    const name = metaTable ? decoded.name.slice(0, dollar) : decoded.name;
    const catalogRef = ref ?? s.ref;
    const key = [...decodeNamespace(t.schema), name]; // `"a\u001fb".t` is a.b.t (nested-names.ts)
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
      const view = `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
      if (s.views.has(view)) continue;
      if (depth >= MAX_VIEW_DEPTH)
        throw badRequest(`View ${key.join(".")} names views more than ${MAX_VIEW_DEPTH} deep (a cycle?)`);
      const m = await s.catalog.files.readView(content.metadataLocation as string);
      const body = rewriteTableRefs(runnableSql(m, key.join(".")));
      await registerNamed(s, body, depth + 1);
      const current = m.versions.find((v) => v.versionId === m.currentVersionId);
      const schema = m.schemas.find((x) => x.schemaId === current?.schemaId);
      const names = schema ? ` (${schema.fields.map((f) => quoteIdent(f.name)).join(", ")})` : "";
      await s.duck.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(t.schema)}`);
      await s.duck.run(`CREATE OR REPLACE VIEW ${view}${names} AS ${body}`);
      s.views.add(view);
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
      await s.duck.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(t.schema)}`);
      const view = `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
      await s.duck.run(`CREATE OR REPLACE VIEW ${view} AS ${query}`);
      s.views.add(view);
      continue;
    }
    const selector = await snapshotSelector(s, metadata, key, version, timestamp);
    const view = `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
    await s.duck.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(t.schema)}`);
    await s.duck.run(`CREATE OR REPLACE VIEW ${view} AS ${await tableSql(s, metadata, selector)}`);
    s.views.add(view);
  }
}

/**
 * The rows of a table at a snapshot, as a query over its data files: `readSql` over the files the
 * planner picks when none has delete files, else `tableQuery` with every position and equality
 * delete applied. Files on S3 are read as `duckFiles` says.
 */
export async function tableSql(
  s: SessionContext,
  metadata: TableMetadata,
  selector: SnapshotSelector,
): Promise<string> {
  const store = s.objects.storeFor(metadata.location);
  const plan = planScan({ metadata, store, ...selector });
  const files: string[] = [];
  let deletes = false;
  for await (const task of plan) {
    files.push(task.file.filePath);
    if (task.deletes.length > 0) deletes = true;
  }
  if (!deletes) return readSql(s.duck, plan.schema, files);
  return tableQuery({ duck: s.duck, store, metadata, ...selector });
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

/** The `schema.table` names a query reads, from DuckDB's parse tree. */
async function namedTables(duck: DuckDBConnection, sql: string): Promise<NamedTable[]> {
  const body = sql.replace(/^\s*(EXPLAIN(\s+ANALYZE)?|DESCRIBE|SUMMARIZE)\s+/i, "");
  // DESCRIBE ns.t names a table, not a query
  const query = /^\s*(SELECT|WITH|VALUES|FROM|TABLE|\()/i.test(body) ? body : `SELECT * FROM ${body}`;
  const tree = await parseTree(duck, query);
  if (tree === undefined) return []; // DuckDB runs it as it is
  const out = new Map<string, NamedTable>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === "object") {
      const n = node as Record<string, unknown>;
      if (
        n.type === "BASE_TABLE" &&
        n.catalog_name === "" &&
        typeof n.schema_name === "string" &&
        n.schema_name !== ""
      )
        out.set(`${n.schema_name}\u0000${n.table_name}`, {
          schema: n.schema_name,
          table: String(n.table_name),
        });
      Object.values(n).forEach(visit);
    }
  };
  visit(tree);
  return [...out.values()];
}
