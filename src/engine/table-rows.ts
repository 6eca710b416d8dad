import type { DuckDBConnection } from "@duckdb/node-api";
import { badRequest } from "../core/errors.ts";
import { type DataFile, DataFileContent } from "../iceberg/data-file.ts";
import type { BoundExpression, Expression } from "../iceberg/expressions/expression.ts";
import { type FileScanTask, planScan } from "../iceberg/scan/plan-scan.ts";
import type { SnapshotSelector } from "../iceberg/scan/select-snapshot.ts";
import type { Schema } from "../iceberg/schema.ts";
import type { TableMetadata } from "../iceberg/table-metadata.ts";
import { isPrimitive } from "../iceberg/types.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { duckType, quoteIdent, sqlString } from "./duck-types.ts";
import { filterSql } from "./filter-sql.ts";
import { duckFiles } from "./duck-files.ts";
import { readSql } from "./read-sql.ts";

/** Reserved field ids of position delete files' columns (spec "Reserved Field IDs"). */
export const DELETE_FILE_PATH_ID = 2147483546;
export const DELETE_POS_ID = 2147483545;
/** The columns `tableRows` adds: the data file's location and the row's position in it. */
export const FILE_COLUMN = "__floe_file";
export const POS_COLUMN = "__floe_pos";

export interface TableRowsOptions extends SnapshotSelector {
  readonly duck: DuckDBConnection;
  readonly store: ObjectStore;
  readonly metadata: TableMetadata;
  /** Files that cannot hold a matching row are left out; the rows are not filtered (see `filter`). */
  readonly filter?: Expression;
  readonly caseSensitive?: boolean;
}

export interface TableRows {
  /**
   * A query of the live rows of the planned files, every delete applied: the schema's columns,
   * then `__floe_file` (the data file's location as the manifest has it) and `__floe_pos` (the
   * row's position in the file, from 0).
   */
  readonly sql: string;
  /** `sql` restricted to the rows the filter matches, without the two extra columns. */
  readonly matching: string;
  readonly tasks: readonly FileScanTask[];
  readonly schema: Schema;
  readonly filter: BoundExpression;
}

/**
 * Reads a table's rows through DuckDB with its delete files applied (spec "Scan Planning"):
 * `planScan` picks the data files and the deletes for each; position deletes (`file_path`, `pos`
 * by their reserved field ids) remove the rows at those positions of those files; equality deletes
 * remove the rows of the data files they apply to whose equality columns (by field id) equal a
 * deleted row's, null equal to null. Data files are read by `readSql` (columns by field id).
 * Deletion vectors (Puffin) and equality deletes on nested columns are refused. Files are read
 * where `duckFiles(duck)` says: local paths, S3 through httpfs, or cached copies.
 */
export async function tableRows(opts: TableRowsOptions): Promise<TableRows> {
  const { duck, metadata } = opts;
  const plan = planScan({
    metadata,
    store: opts.store,
    ...(opts.filter ? { filter: opts.filter } : {}),
    ...(opts.caseSensitive === undefined ? {} : { caseSensitive: opts.caseSensitive }),
    ...(opts.snapshotId === undefined ? {} : { snapshotId: opts.snapshotId }),
    ...(opts.ref === undefined ? {} : { ref: opts.ref }),
    ...(opts.asOfTimestampMs === undefined ? {} : { asOfTimestampMs: opts.asOfTimestampMs }),
  });
  const tasks: FileScanTask[] = [];
  for await (const t of plan) tasks.push(t);
  const schema = plan.schema;
  const columns = schema.fields.map((f) => `r.${quoteIdent(f.name)}`).join(", ");
  const extra = `f.uri AS ${FILE_COLUMN}, r.file_row_number AS ${POS_COLUMN}`;
  const rows = await readSql(
    duck,
    schema,
    tasks.map((t) => t.file.filePath),
    { positions: true },
  );
  let sql: string;
  if (tasks.length === 0)
    sql = `SELECT ${columns}, CAST(NULL AS VARCHAR) AS ${FILE_COLUMN}, r.file_row_number AS ${POS_COLUMN} FROM (${rows}) r`;
  else {
    const files = duckFiles(duck);
    await files.resolve(tasks.flatMap((t) => t.deletes.map((d) => d.filePath)));
    const pairs = tasks.map(
      (t) => `(${sqlString(t.file.filePath)}, ${sqlString(files.pathOf(t.file.filePath))})`,
    );
    const conditions = deleteConditions(schema, tasks, (uri) => files.pathOf(uri));
    sql =
      `SELECT ${columns}, ${extra} FROM (${rows}) r JOIN (VALUES ${pairs.join(", ")}) f(uri, path) ON f.path = r.filename` +
      (conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "");
  }
  const names = schema.fields.map((f) => quoteIdent(f.name)).join(", ");
  return {
    sql,
    matching: `SELECT ${names} FROM (${sql}) WHERE ${filterSql(plan.filter)}`,
    tasks,
    schema,
    filter: plan.filter,
  };
}

/** NOT EXISTS conditions for the position deletes and each group of equality deletes. */
function deleteConditions(
  schema: Schema,
  tasks: readonly FileScanTask[],
  localPath: (uri: string) => string,
): string[] {
  const positional = new Map<string, DataFile>();
  const equality = new Map<
    string,
    { ids: number[]; pairs: [string, string][]; files: Map<string, DataFile> }
  >();
  for (const t of tasks)
    for (const d of t.deletes) {
      if (d.fileFormat.toLowerCase() === "puffin")
        throw badRequest(`Cannot read ${d.filePath}: deletion vectors (Puffin) are not supported`);
      if (d.content === DataFileContent.POSITION_DELETES) positional.set(d.filePath, d);
      else {
        const ids = [...(d.equalityIds ?? [])];
        if (ids.length === 0)
          throw badRequest(`Cannot read ${d.filePath}: an equality delete file without equality ids`);
        const key = ids.join(",");
        let g = equality.get(key);
        if (!g) equality.set(key, (g = { ids, pairs: [], files: new Map() }));
        g.pairs.push([t.file.filePath, localPath(d.filePath)]);
        g.files.set(d.filePath, d);
      }
    }
  const out: string[] = [];
  if (positional.size > 0) {
    const paths = [...positional.keys()].map((p) => sqlString(localPath(p)));
    out.push(
      `NOT EXISTS (SELECT 1 FROM read_parquet([${paths.join(", ")}], schema = MAP {` +
        `${DELETE_FILE_PATH_ID}: {name: 'file_path', type: 'VARCHAR', default_value: NULL}, ` +
        `${DELETE_POS_ID}: {name: 'pos', type: 'BIGINT', default_value: NULL}}) p ` +
        `WHERE p.file_path = f.uri AND p.pos = r.file_row_number)`,
    );
  }
  for (const g of equality.values()) {
    const fields = g.ids.map((id) => {
      const f = schema.fields.find((x) => x.id === id);
      if (!f || !isPrimitive(f.type))
        throw badRequest(
          `Cannot apply equality deletes on field ${id}: only top-level primitive columns of the current schema are supported`,
        );
      return f;
    });
    const map = fields
      .map(
        (f) =>
          `${f.id}: {name: ${sqlString(`__floe_e${f.id}`)}, type: ${sqlString(duckType(f.type))}, default_value: NULL}`,
      )
      .join(", ");
    const paths = [...g.files.keys()].map((p) => sqlString(localPath(p)));
    const pairs = g.pairs.map(([data, del]) => `(${sqlString(data)}, ${sqlString(del)})`);
    const equal = fields.map(
      (f) => `e.${quoteIdent(`__floe_e${f.id}`)} IS NOT DISTINCT FROM r.${quoteIdent(f.name)}`,
    );
    out.push(
      `NOT EXISTS (SELECT 1 FROM read_parquet([${paths.join(", ")}], schema = MAP {${map}}, filename = true) e ` +
        `JOIN (VALUES ${pairs.join(", ")}) pr(data, del) ON pr.del = e.filename ` +
        `WHERE pr.data = f.uri AND ${equal.join(" AND ")})`,
    );
  }
  return out;
}
