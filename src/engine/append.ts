import type { DuckDBConnection } from "@duckdb/node-api";
import { randomBytes } from "node:crypto";
import { badRequest } from "../core/errors.ts";
import { newTableMetadata, type NewTable } from "../iceberg/create-table.ts";
import { mergeAppend } from "../iceberg/producers/merge-append.ts";
import {
  commitTableFile,
  type TableFile,
  writeNextMetadataFile,
} from "../iceberg/producers/metadata-file.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { deleteWritten, writeDataFiles } from "./write-data-files.ts";

/**
 * Tables without a catalog: a table is the location of its current metadata file. `createTable`
 * writes the first metadata file (`00000-<uuid>.metadata.json`); each `appendRows` writes the rows
 * of a DuckDB query as data files, commits them with a merge append (manifests merged as the
 * table's `commit.manifest.*` properties say) and writes the next metadata file, the previous one
 * in its metadata log. The caller keeps the returned `TableFile`.
 */
export async function createTable(store: ObjectStore, table: NewTable): Promise<TableFile> {
  return writeNextMetadataFile(store, undefined, newTableMetadata(table));
}

export interface AppendRowsOptions {
  readonly duck: DuckDBConnection;
  readonly store: ObjectStore;
  readonly table: TableFile;
  /** A query whose columns are the table schema's top-level fields by name. */
  readonly source: string;
  /** Default 128 MB (Java's `write.target-file-size-bytes` default 512 MB is larger than needed here). */
  readonly targetFileSizeBytes?: number;
  /** Default a random positive 63-bit id not used by the table. */
  readonly snapshotId?: bigint;
  readonly nowMs?: number;
  /** The branch to append to; default `main`. */
  readonly ref?: string;
}

/** Appends the rows of `source`; returns the table's new metadata file. A source without rows is refused. */
export async function appendRows(opts: AppendRowsOptions): Promise<TableFile> {
  const m = opts.table.metadata;
  const schema = m.schemas.find((s) => s.schemaId === m.currentSchemaId);
  const spec = m.partitionSpecs.find((s) => s.specId === m.defaultSpecId);
  const sortOrder = m.sortOrders.find((o) => o.orderId === m.defaultSortOrderId);
  if (!schema || !spec) throw badRequest(`Table ${m.location} has no current schema or default spec`);
  const files = await writeDataFiles({
    duck: opts.duck,
    schema,
    spec,
    source: opts.source,
    location: m.location,
    targetFileSizeBytes: opts.targetFileSizeBytes ?? 128 * 1024 * 1024,
    ...(sortOrder && sortOrder.fields.length > 0 ? { sortOrder } : {}),
    tableProperties: m.properties,
    store: opts.store,
  });
  if (files.length === 0) throw badRequest(`Nothing to append to ${m.location}: the source has no rows`);
  const written = files.map((f) => f.filePath);
  try {
    const append = await mergeAppend({
      metadata: m,
      store: opts.store,
      snapshotId: opts.snapshotId ?? newSnapshotId(m.snapshots.map((s) => s.snapshotId)),
      files,
      specId: spec.specId,
      nowMs: opts.nowMs ?? Date.now(),
      ...(opts.ref === undefined ? {} : { ref: opts.ref }),
    });
    written.push(...append.writtenFiles);
    return await commitTableFile(opts.store, opts.table, append);
  } catch (e) {
    // A failed append (a parent that cannot be read, a conflict) leaves no file behind.
    await deleteWritten(opts.store, written);
    throw e;
  }
}

/** A random positive 63-bit snapshot id that `taken` does not hold. */
export function newSnapshotId(taken: readonly bigint[]): bigint {
  for (;;) {
    const id = randomBytes(8).readBigUInt64BE() & 0x7fff_ffff_ffff_ffffn;
    if (id !== 0n && !taken.includes(id)) return id;
  }
}
