import type { DuckDBConnection } from "@duckdb/node-api";
import { badRequest } from "../core/errors.ts";
import { type DataFile, DataFileContent } from "../iceberg/data-file.ts";
import type { Expression } from "../iceberg/expressions/expression.ts";
import { decodeBound } from "../iceberg/expressions/literals.ts";
import { deleteFiles, rowDelta } from "../iceberg/producers/delete.ts";
import { commitTableFile, type TableFile } from "../iceberg/producers/metadata-file.ts";
import { overwriteFiles } from "../iceberg/producers/overwrite.ts";
import type { ProducedSnapshot, SpecFiles } from "../iceberg/producers/snapshot-producer.ts";
import type { Snapshot } from "../iceberg/snapshot.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { newSnapshotId } from "./append.ts";
import { quoteIdent, sqlString } from "./duck-types.ts";
import { filterSql } from "./filter-sql.ts";
import { runOnDataFiles } from "./data-file-errors.ts";
import { writePositionDeletes } from "./position-deletes.ts";
import { DELETE_FILE_PATH_ID, FILE_COLUMN, POS_COLUMN, tableRows } from "./table-rows.ts";
import { writeDataFiles } from "./write-data-files.ts";

/** How row-level deletes are written (the table's `write.delete.mode`). */
export type DeleteMode = "copy-on-write" | "merge-on-read";
export const DELETE_MODE = "write.delete.mode";
const TARGET_FILE_SIZE = "write.target-file-size-bytes";

export interface DeleteRowsOptions {
  readonly duck: DuckDBConnection;
  readonly store: ObjectStore;
  readonly table: TableFile;
  /** The rows to delete: those for which it is true. */
  readonly filter: Expression;
  /**
   * Picks the rows to delete instead of `filter`, which then only prunes files (it must hold for
   * every row this matches): a SQL condition over `tableRows`' columns (the schema's, `FILE_COLUMN`
   * and `POS_COLUMN`), e.g. the positions an UPDATE or MERGE computed.
   */
  readonly matchSql?: string;
  readonly caseSensitive?: boolean;
  /** Default the table's `write.delete.mode`, else copy-on-write. */
  readonly mode?: DeleteMode;
  /** The branch (default `main`); a new branch starts from `main`'s current snapshot. */
  readonly ref?: string;
  readonly snapshotId?: bigint;
  readonly nowMs?: number;
  /** For rewritten and new data files; default the table's `write.target-file-size-bytes`, else 128 MB. */
  readonly targetFileSizeBytes?: number;
}

export interface OverwriteRowsOptions extends DeleteRowsOptions {
  /** A query whose rows are added (columns: the schema's top-level fields by name). */
  readonly source: string;
}

export interface RowChange {
  /** The table after the commit; the same table when nothing changed (no snapshot is made). */
  readonly table: TableFile;
  readonly mode: DeleteMode;
  readonly deletedRows: bigint;
  readonly addedRows: bigint;
  readonly snapshot?: Snapshot;
}

/**
 * Deletes the rows a filter matches, in one snapshot:
 * - data files all of whose live rows match are removed whole; when that is all, the snapshot is a
 *   file-level `delete`;
 * - files some of whose rows match are, in copy-on-write mode, rewritten without those rows and
 *   replaced (`overwrite`); in merge-on-read mode, their rows' positions are written to position
 *   delete files, one per partition (`delete`, a row delta).
 * Existing deletes are applied when rows are counted and rewritten; position delete files that
 * only reference removed data files are removed with them. Nothing matching, nothing is committed.
 */
export async function deleteRows(opts: DeleteRowsOptions): Promise<RowChange> {
  return commitRowChange(opts, await produceRowChange(opts, undefined));
}

/**
 * Replaces the rows a filter matches with the rows of `source`, in one `overwrite` snapshot: the
 * matching rows are deleted as `deleteRows` does (by the table's delete mode) and the source's rows
 * written as new data files.
 */
export async function overwriteRows(opts: OverwriteRowsOptions): Promise<RowChange> {
  return commitRowChange(opts, await produceRowChange(opts, opts.source));
}

/** A row change made but not committed: the files written and, unless nothing changed, the snapshot. */
export interface ProducedRowChange {
  readonly mode: DeleteMode;
  readonly deletedRows: bigint;
  readonly addedRows: bigint;
  /** Absent when nothing matched and nothing was added. */
  readonly produced?: ProducedSnapshot;
  /** Data and delete files written (garbage, with `produced.writtenFiles`, if the commit fails). */
  readonly writtenFiles: readonly string[];
}

/** Commits a produced change catalog-less, writing the table's next metadata file. */
async function commitRowChange(opts: DeleteRowsOptions, c: ProducedRowChange): Promise<RowChange> {
  const { mode, deletedRows, addedRows, produced } = c;
  if (!produced) return { table: opts.table, mode, deletedRows, addedRows };
  const next = await commitTableFile(opts.store, opts.table, produced);
  return { table: next, mode, deletedRows, addedRows, snapshot: produced.snapshot };
}

/**
 * The producing half of `deleteRows` / `overwriteRows`: writes the data and delete files and makes
 * the snapshot (updates and requirements for a commit) without committing it.
 */
export async function produceRowChange(
  opts: DeleteRowsOptions,
  source: string | undefined,
): Promise<ProducedRowChange> {
  const { duck, store } = opts;
  const m = opts.table.metadata;
  const what = `Cannot ${source === undefined ? "delete rows from" : "overwrite rows of"} table ${m.location}`;
  if (m.formatVersion > 2) throw badRequest(`${what}: writing format v${m.formatVersion} is not supported`);
  const mode = opts.mode ?? deleteMode(m.properties);
  if (mode === "merge-on-read" && m.formatVersion < 2)
    throw badRequest(`${what}: merge-on-read needs format v2 (v1 has no delete files)`);
  const ref = opts.ref !== undefined && opts.ref in m.refs ? opts.ref : undefined;
  const rows = await tableRows({
    duck,
    store,
    metadata: m,
    filter: opts.filter,
    ...(opts.caseSensitive === undefined ? {} : { caseSensitive: opts.caseSensitive }),
    ...(ref ? { ref } : {}),
  });
  const where = opts.matchSql === undefined ? filterSql(rows.filter) : `(${opts.matchSql})`;
  const candidates = rows.tasks.filter((t) => t.residual.kind !== "false");
  const counts = new Map<string, { hit: bigint; n: bigint }>();
  if (candidates.length > 0) {
    const list = candidates.map((t) => sqlString(t.file.filePath)).join(", ");
    // A damaged data or delete file is a FloeError naming it, not DuckDB's error.
    const read = [
      ...candidates.map((t) => t.file.filePath),
      ...candidates.flatMap((t) => t.deletes.map((d) => d.filePath)),
    ];
    const reader = await runOnDataFiles(
      duck,
      `SELECT ${FILE_COLUMN}, count(*) FILTER (WHERE ${where}), count(*) FROM (${rows.sql}) ` +
        `WHERE ${FILE_COLUMN} IN (${list}) GROUP BY 1`,
      read,
    );
    for (const [file, hit, n] of reader.getRows())
      counts.set(String(file), { hit: BigInt(hit as bigint), n: BigInt(n as bigint) });
  }
  const whole = candidates.filter((t) => {
    const c = counts.get(t.file.filePath);
    return c !== undefined && c.hit > 0n && c.hit === c.n;
  });
  const partial = candidates.filter((t) => {
    const c = counts.get(t.file.filePath);
    return c !== undefined && c.hit > 0n && c.hit < c.n;
  });
  let deletedRows = 0n;
  for (const c of counts.values()) deletedRows += c.hit;

  const schema = rows.schema;
  const spec = m.partitionSpecs.find((s) => s.specId === m.defaultSpecId);
  if (!spec) throw badRequest(`${what}: default spec ${m.defaultSpecId} not found`);
  const sortOrder = m.sortOrders.find((o) => o.orderId === m.defaultSortOrderId);
  const write = (select: string) =>
    writeDataFiles({
      duck,
      schema,
      spec,
      source: select,
      location: m.location,
      targetFileSizeBytes: opts.targetFileSizeBytes ?? targetFileSize(m.properties),
      ...(sortOrder && sortOrder.fields.length > 0 ? { sortOrder } : {}),
      tableProperties: m.properties,
      store,
    });
  const columns = schema.fields.map((f) => quoteIdent(f.name)).join(", ");
  const inFiles = (ts: typeof partial) => ts.map((t) => sqlString(t.file.filePath)).join(", ");

  const added: DataFile[] = source === undefined ? [] : await write(source);
  const addedRows = added.reduce((n, f) => n + f.recordCount, 0n);
  if (deletedRows === 0n && added.length === 0) return { mode, deletedRows, addedRows, writtenFiles: [] };

  let deleteFilesAdded: SpecFiles[] = [];
  const removed = new Set(whole.map((t) => t.file.filePath));
  if (partial.length > 0 && mode === "copy-on-write") {
    added.push(
      ...(await write(
        `SELECT ${columns} FROM (${rows.sql}) WHERE ${FILE_COLUMN} IN (${inFiles(partial)}) AND (${where}) IS NOT TRUE`,
      )),
    );
    for (const t of partial) removed.add(t.file.filePath);
  } else if (partial.length > 0) {
    deleteFilesAdded = await writePositionDeletes({
      duck,
      store,
      schema,
      location: m.location,
      positions:
        `SELECT ${FILE_COLUMN} AS file_path, ${POS_COLUMN} AS pos FROM (${rows.sql}) ` +
        `WHERE ${FILE_COLUMN} IN (${inFiles(partial)}) AND ${where}`,
      files: partial.map((t) => ({ filePath: t.file.filePath, spec: t.spec, partition: t.file.partition })),
    });
  }
  // Position delete files left with nothing to delete go with the data files they referenced.
  const removeDeletes = new Set<string>();
  for (const t of rows.tasks)
    for (const d of t.deletes)
      if (d.content === DataFileContent.POSITION_DELETES) {
        const target = singleTarget(d);
        if (target !== undefined && removed.has(target)) removeDeletes.add(d.filePath);
      }

  const base = {
    metadata: m,
    store,
    snapshotId: opts.snapshotId ?? newSnapshotId(m.snapshots.map((s) => s.snapshotId)),
    nowMs: opts.nowMs ?? Date.now(),
    ...(opts.ref === undefined ? {} : { ref: opts.ref }),
  };
  const removeFiles = [...removed, ...removeDeletes];
  let produced: ProducedSnapshot;
  if (added.length === 0 && deleteFilesAdded.length === 0)
    produced = await deleteFiles({ ...base, removeFiles });
  else if (deleteFilesAdded.length > 0)
    produced = await rowDelta({
      ...base,
      files: added,
      specId: spec.specId,
      deleteFiles: deleteFilesAdded,
      removeFiles,
    });
  else produced = await overwriteFiles({ ...base, files: added, specId: spec.specId, removeFiles });
  const writtenFiles = [
    ...added.map((f) => f.filePath),
    ...deleteFilesAdded.flatMap((g) => g.files.map((f) => f.filePath)),
  ];
  return { mode, deletedRows, addedRows, produced, writtenFiles };
}

/** The one data file a position delete file references, when its metadata says so. */
function singleTarget(d: DataFile): string | undefined {
  if (d.referencedDataFile !== undefined) return d.referencedDataFile;
  const str = { type: "string" } as const;
  const lower = decodeBound(str, d.lowerBounds?.get(DELETE_FILE_PATH_ID));
  const upper = decodeBound(str, d.upperBounds?.get(DELETE_FILE_PATH_ID));
  return lower !== undefined && lower === upper ? String(lower) : undefined;
}

/**
 * The table's `write.delete.mode` (or `property`: `write.update.mode`, `write.merge.mode`):
 * copy-on-write (the default) or merge-on-read.
 */
export function deleteMode(properties: Readonly<Record<string, string>>, property = DELETE_MODE): DeleteMode {
  const v = properties[property] ?? "copy-on-write";
  if (v !== "copy-on-write" && v !== "merge-on-read")
    throw badRequest(`Table property ${property} must be copy-on-write or merge-on-read, got "${v}"`);
  return v;
}

/** The table's `write.target-file-size-bytes`, else 128 MB. */
export function targetFileSize(properties: Readonly<Record<string, string>>): number {
  const v = properties[TARGET_FILE_SIZE];
  if (v === undefined) return 128 * 1024 * 1024;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1)
    throw badRequest(`Table property ${TARGET_FILE_SIZE} must be a positive integer, got "${v}"`);
  return n;
}
