import type { DuckDBConnection } from "@duckdb/node-api";
import { badRequest } from "../core/errors.ts";
import type { Expression } from "../iceberg/expressions/expression.ts";
import { commitTableFile, type TableFile } from "../iceberg/producers/metadata-file.ts";
import { rewriteFiles } from "../iceberg/producers/rewrite-files.ts";
import type { ProducedSnapshot } from "../iceberg/producers/snapshot-producer.ts";
import { type FileScanTask, planScan } from "../iceberg/scan/plan-scan.ts";
import { partitionKey } from "../iceberg/scan/delete-index.ts";
import type { Snapshot } from "../iceberg/snapshot.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { newSnapshotId } from "./append.ts";
import { targetFileSize } from "./delete-rows.ts";
import { quoteIdent, sqlString } from "./duck-types.ts";
import { FILE_COLUMN, tableRows } from "./table-rows.ts";
import { writeDataFiles } from "./write-data-files.ts";

export interface RewriteDataFilesOptions {
  readonly duck: DuckDBConnection;
  readonly store: ObjectStore;
  readonly table: TableFile;
  /** Only files that may hold a matching row are considered (their rows are all rewritten). */
  readonly filter?: Expression;
  readonly caseSensitive?: boolean;
  /** Default the table's `write.target-file-size-bytes`, else 128 MB. */
  readonly targetFileSizeBytes?: number;
  /** A partition is compacted when it has at least this many small files (default 2). */
  readonly minInputFiles?: number;
  readonly ref?: string;
  readonly snapshotId?: bigint;
  readonly nowMs?: number;
}

export interface RewriteResult {
  /** The table after the commit; the same table when there was nothing to compact. */
  readonly table: TableFile;
  readonly rewrittenDataFiles: number;
  /** Total size of the rewritten data files. */
  readonly rewrittenBytes: bigint;
  readonly addedDataFiles: number;
  readonly removedDeleteFiles: number;
  readonly snapshot?: Snapshot;
}

/** A compaction made but not committed; `produced` is absent when there was nothing to compact. */
export interface ProducedRewrite extends Omit<RewriteResult, "table" | "snapshot"> {
  readonly produced?: ProducedSnapshot;
  /** The new data files (garbage, with `produced.writtenFiles`, if the commit fails). */
  readonly writtenFiles: readonly string[];
}

/**
 * Compaction (Java's `RewriteDataFiles` with the bin-pack strategy, simplified): the live data
 * files smaller than the target size are grouped by partition (spec and values); each group of at
 * least `minInputFiles` is read with its position and equality deletes applied and written again
 * by DuckDB at the target size, in the table's current default spec and sort order. One `replace`
 * snapshot removes the old files and adds the new ones with the starting snapshot's sequence
 * number as their data sequence number (equality deletes committed later still apply). Delete
 * files that applied only to rewritten files are removed too: they can never apply again (their
 * position deletes name removed files; their equality deletes are older than the new files).
 */
export async function rewriteDataFiles(opts: RewriteDataFilesOptions): Promise<RewriteResult> {
  const { produced, writtenFiles: _files, ...counts } = await produceRewrite(opts);
  if (!produced) return { table: opts.table, ...counts };
  const next = await commitTableFile(opts.store, opts.table, produced);
  return { table: next, ...counts, snapshot: produced.snapshot };
}

/**
 * The producing half of `rewriteDataFiles`: writes the new data files and makes the `replace`
 * snapshot (updates and requirements for a commit) without committing it.
 */
export async function produceRewrite(opts: RewriteDataFilesOptions): Promise<ProducedRewrite> {
  const { duck, store, table } = opts;
  const m = table.metadata;
  const what = `Cannot rewrite data files of table ${m.location}`;
  if (m.formatVersion > 2) throw badRequest(`${what}: writing format v${m.formatVersion} is not supported`);
  const target = opts.targetFileSizeBytes ?? targetFileSize(m.properties);
  const minInput = opts.minInputFiles ?? 2;
  if (!Number.isSafeInteger(minInput) || minInput < 1)
    throw badRequest(`${what}: minInputFiles must be a positive integer, got ${minInput}`);
  const ref = opts.ref !== undefined && opts.ref in m.refs ? opts.ref : undefined;
  const select = {
    metadata: m,
    store,
    ...(opts.caseSensitive === undefined ? {} : { caseSensitive: opts.caseSensitive }),
    ...(ref ? { ref } : {}),
  };
  const rows = await tableRows({ duck, ...select, ...(opts.filter ? { filter: opts.filter } : {}) });
  const unchanged: ProducedRewrite = {
    rewrittenDataFiles: 0,
    rewrittenBytes: 0n,
    addedDataFiles: 0,
    removedDeleteFiles: 0,
    writtenFiles: [],
  };
  const groups = new Map<string, FileScanTask[]>();
  for (const t of rows.tasks) {
    if (t.file.fileSizeInBytes >= BigInt(target)) continue;
    const key = partitionKey(t.spec.specId, t.file.partition);
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const chosen = [...groups.values()].filter((g) => g.length >= minInput).flat();
  if (chosen.length === 0) return unchanged;

  const schema = rows.schema;
  const spec = m.partitionSpecs.find((s) => s.specId === m.defaultSpecId);
  if (!spec) throw badRequest(`${what}: default spec ${m.defaultSpecId} not found`);
  const sortOrder = m.sortOrders.find((o) => o.orderId === m.defaultSortOrderId);
  const columns = schema.fields.map((f) => quoteIdent(f.name)).join(", ");
  const paths = new Set(chosen.map((t) => t.file.filePath));
  const files = await writeDataFiles({
    duck,
    schema,
    spec,
    source: `SELECT ${columns} FROM (${rows.sql}) WHERE ${FILE_COLUMN} IN (${[...paths].map(sqlString).join(", ")})`,
    location: m.location,
    targetFileSizeBytes: target,
    ...(sortOrder && sortOrder.fields.length > 0 ? { sortOrder } : {}),
    tableProperties: m.properties,
    store,
  });

  // Delete files that apply to rewritten files and to no file kept.
  const everything: FileScanTask[] = [];
  for await (const t of planScan(select)) everything.push(t);
  const stillUsed = new Set<string>();
  for (const t of everything)
    if (!paths.has(t.file.filePath)) for (const d of t.deletes) stillUsed.add(d.filePath);
  const obsolete = new Set<string>();
  for (const t of chosen) for (const d of t.deletes) if (!stillUsed.has(d.filePath)) obsolete.add(d.filePath);

  const snapshot = rows.tasks.length > 0 ? startingSnapshot(m, ref) : undefined;
  const produced = await rewriteFiles({
    metadata: m,
    store,
    snapshotId: opts.snapshotId ?? newSnapshotId(m.snapshots.map((s) => s.snapshotId)),
    nowMs: opts.nowMs ?? Date.now(),
    ...(opts.ref === undefined ? {} : { ref: opts.ref }),
    files,
    specId: spec.specId,
    removeFiles: [...paths, ...obsolete],
    ...(snapshot ? { dataSequenceNumber: BigInt(snapshot.sequenceNumber) } : {}),
  }).catch(async (e: unknown) => {
    await Promise.allSettled(files.map((f) => store.delete(f.filePath)));
    throw e;
  });
  return {
    rewrittenDataFiles: paths.size,
    rewrittenBytes: chosen.reduce((n, t) => n + t.file.fileSizeInBytes, 0n),
    addedDataFiles: files.length,
    removedDeleteFiles: obsolete.size,
    produced,
    writtenFiles: files.map((f) => f.filePath),
  };
}

function startingSnapshot(m: TableFile["metadata"], ref: string | undefined): Snapshot | undefined {
  const id = ref ? m.refs[ref]?.snapshotId : m.currentSnapshotId;
  return m.snapshots.find((s) => s.snapshotId === id);
}
