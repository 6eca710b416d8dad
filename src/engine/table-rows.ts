import type { DuckDBConnection } from "@duckdb/node-api";
import type { BoundExpression, Expression } from "../iceberg/expressions/expression.ts";
import { type FileScanTask, planScan } from "../iceberg/scan/plan-scan.ts";
import type { SnapshotSelector } from "../iceberg/scan/select-snapshot.ts";
import type { Schema } from "../iceberg/schema.ts";
import type { TableMetadata } from "../iceberg/table-metadata.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { quoteIdent } from "./duck-types.ts";
import { filterSql } from "./filter-sql.ts";
import { liveRowsSql } from "./live-rows-sql.ts";

export { DELETE_FILE_PATH_ID, DELETE_POS_ID, FILE_COLUMN, POS_COLUMN } from "./live-rows-sql.ts";

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
 * Reads a table's rows through DuckDB with its delete files applied, for the row-level writers
 * (DELETE, UPDATE, MERGE, rewrites), which need each row's file and position: `planScan` picks the
 * data files and the deletes for each, `liveRowsSql` applies them (position deletes by their
 * reserved field ids, equality deletes by field id, null equal to null), streaming. Data files are
 * read by `readSql` (columns by field id), where `duckFiles(duck)` says: local paths, S3 through
 * httpfs, or cached copies.
 */
export async function tableRows(opts: TableRowsOptions): Promise<TableRows> {
  const plan = planScan({
    metadata: opts.metadata,
    store: opts.store,
    ...(opts.filter ? { filter: opts.filter } : {}),
    ...(opts.caseSensitive === undefined ? {} : { caseSensitive: opts.caseSensitive }),
    ...(opts.snapshotId === undefined ? {} : { snapshotId: opts.snapshotId }),
    ...(opts.ref === undefined ? {} : { ref: opts.ref }),
    ...(opts.asOfTimestampMs === undefined ? {} : { asOfTimestampMs: opts.asOfTimestampMs }),
  });
  const tasks: FileScanTask[] = [];
  for await (const t of plan) tasks.push(t);
  const { schema, filter } = plan;
  const sql = await liveRowsSql(opts.duck, schema, tasks, { files: true });
  const names = schema.fields.map((f) => quoteIdent(f.name)).join(", ");
  return {
    sql,
    matching: `SELECT ${names} FROM (${sql}) WHERE ${filterSql(filter)}`,
    tasks,
    schema,
    filter,
  };
}
