import { DataFileContent, type DataFile, EntryStatus, type ManifestEntry } from "../../iceberg/data-file.ts";
import { checker, type ManifestRef, snapshotManifests } from "../../iceberg/maintenance/reachable-files.ts";
import { readManifest } from "../../iceberg/manifest.ts";
import { ManifestContent } from "../../iceberg/manifest-list.ts";
import { humanString } from "../../iceberg/partition-path.ts";
import { mapBounded } from "../../iceberg/scan/bounded.ts";
import { indexFields } from "../../iceberg/schema.ts";
import { fromSingleValue } from "../../iceberg/single-value.ts";
import type { Snapshot } from "../../iceberg/snapshot.ts";
import type { TableMetadata } from "../../iceberg/table-metadata.ts";
import { resultType, type Transform } from "../../iceberg/transforms.ts";
import { isPrimitive, type PrimitiveType, type PrimitiveValue } from "../../iceberg/types.ts";
import type { ObjectStore } from "../../storage/object-store.ts";
import { duckType, quoteIdent, sqlString } from "../duck-types.ts";
import { big, blob, bool, int, mapSql, str, tsMs, valueSql, valuesSql } from "./sql-values.ts";

/**
 * The metadata tables read from a snapshot's manifests, with Iceberg's (Spark's) columns:
 * `files` (live data and delete files), `manifests`, `partitions` (per partition: rows, files,
 * sizes and deletes). A partition is a struct of every partition field of every spec the table has
 * had (null where a file's spec lacks the field), as Spark shows it; unpartitioned tables have no
 * partition column.
 */

/** A field of the tables' partition struct: a partition field of some spec, its type and source. */
interface PartitionColumn {
  readonly fieldId: number;
  readonly name: string;
  readonly type: PrimitiveType;
  readonly transform: Transform;
  readonly source: PrimitiveType | undefined;
}

function partitionColumns(m: TableMetadata): PartitionColumn[] {
  const sources = new Map<number, PrimitiveType>();
  for (const schema of m.schemas)
    for (const [id, { field }] of indexFields(schema))
      if (isPrimitive(field.type) && (!sources.has(id) || schema.schemaId === m.currentSchemaId))
        sources.set(id, field.type);
  const out = new Map<number, PartitionColumn>();
  for (const spec of [...m.partitionSpecs].sort((a, b) => a.specId - b.specId))
    for (const f of spec.fields) {
      if (out.has(f.fieldId)) continue;
      const source = sources.get(f.sourceId);
      const type = source ? resultType(f.transform, source) : undefined;
      out.set(f.fieldId, {
        fieldId: f.fieldId,
        name: f.name,
        type: type && isPrimitive(type) ? type : { type: "unknown" },
        transform: f.transform,
        source,
      });
    }
  return [...out.values()];
}

const structType = (cols: readonly PartitionColumn[]): string =>
  `STRUCT(${cols.map((c) => `${quoteIdent(c.name)} ${c.type.type === "unknown" ? "VARCHAR" : duckType(c.type)}`).join(", ")})`;

interface Entry {
  readonly manifest: ManifestRef;
  readonly entry: ManifestEntry;
  readonly specId: number;
  /** Partition values by partition field id. */
  readonly partition: ReadonlyMap<number, PrimitiveValue | null>;
}

/** The manifests of a snapshot (none without one). */
async function manifestsOf(store: ObjectStore, m: TableMetadata, snapshot: Snapshot | undefined) {
  if (!snapshot) return [];
  const lists = await snapshotManifests(store, [snapshot], {
    concurrency: 8,
    tolerateMissing: false,
    metadata: m,
  });
  return lists.get(snapshot.snapshotId) ?? [];
}

/** The live (added or existing) entries of a snapshot's manifests. */
async function liveEntries(
  store: ObjectStore,
  m: TableMetadata,
  snapshot: Snapshot | undefined,
): Promise<Entry[]> {
  const refs = await manifestsOf(store, m, snapshot);
  const check = checker(m);
  const out: Entry[] = [];
  const read = async (ref: ManifestRef) => ({
    ref,
    manifest: readManifest(await store.get(ref.path), ref.path, ref.entry ? { manifest: ref.entry } : {}),
  });
  for await (const { ref, manifest } of mapBounded(refs, 8, read)) {
    const ids = manifest.partitionType.fields.map((f) => f.id);
    for (const e of manifest.entries) {
      if (e.status === EntryStatus.DELETED) continue;
      check(e.dataFile.filePath, "file", `listed in ${ref.path}`);
      const partition = new Map(ids.map((id, i) => [id, e.dataFile.partition[i] ?? null]));
      out.push({
        manifest: ref,
        entry: e,
        specId: manifest.specId ?? ref.entry?.partitionSpecId ?? 0,
        partition,
      });
    }
  }
  return out;
}

function partitionSql(
  cols: readonly PartitionColumn[],
  values: ReadonlyMap<number, PrimitiveValue | null>,
): string {
  const parts = cols.map((c) => `${sqlString(c.name)}: ${valueSql(c.type, values.get(c.fieldId) ?? null)}`);
  return `CAST({${parts.join(", ")}} AS ${structType(cols)})`;
}

export async function filesSql(
  store: ObjectStore,
  m: TableMetadata,
  snapshot: Snapshot | undefined,
): Promise<string> {
  const cols = partitionColumns(m);
  const entries = await liveEntries(store, m, snapshot);
  const counts = (x: ReadonlyMap<number, bigint> | undefined) => mapSql(x, (v) => `${v}::BIGINT`, "BIGINT");
  const bounds = (x: ReadonlyMap<number, Uint8Array> | undefined) => mapSql(x, blob, "BLOB");
  const columns = [
    { name: "content", type: "INTEGER" },
    { name: "file_path", type: "VARCHAR" },
    { name: "file_format", type: "VARCHAR" },
    { name: "spec_id", type: "INTEGER" },
    ...(cols.length > 0 ? [{ name: "partition", type: structType(cols) }] : []),
    { name: "record_count", type: "BIGINT" },
    { name: "file_size_in_bytes", type: "BIGINT" },
    { name: "column_sizes", type: "MAP(INTEGER, BIGINT)" },
    { name: "value_counts", type: "MAP(INTEGER, BIGINT)" },
    { name: "null_value_counts", type: "MAP(INTEGER, BIGINT)" },
    { name: "nan_value_counts", type: "MAP(INTEGER, BIGINT)" },
    { name: "lower_bounds", type: "MAP(INTEGER, BLOB)" },
    { name: "upper_bounds", type: "MAP(INTEGER, BLOB)" },
    { name: "key_metadata", type: "BLOB" },
    { name: "split_offsets", type: "BIGINT[]" },
    { name: "equality_ids", type: "INTEGER[]" },
    { name: "sort_order_id", type: "INTEGER" },
  ];
  const rows = entries.map(({ entry, specId, partition }) => {
    const f: DataFile = entry.dataFile;
    return [
      int(f.content),
      str(f.filePath),
      str(f.fileFormat.toUpperCase()),
      int(specId),
      ...(cols.length > 0 ? [partitionSql(cols, partition)] : []),
      big(f.recordCount),
      big(f.fileSizeInBytes),
      counts(f.columnSizes),
      counts(f.valueCounts),
      counts(f.nullValueCounts),
      counts(f.nanValueCounts),
      bounds(f.lowerBounds),
      bounds(f.upperBounds),
      f.keyMetadata ? blob(f.keyMetadata) : "NULL::BLOB",
      f.splitOffsets
        ? `[${f.splitOffsets.map((o) => `${o}::BIGINT`).join(", ")}]::BIGINT[]`
        : "NULL::BIGINT[]",
      f.equalityIds
        ? `[${f.equalityIds.map((o) => `${o}::INTEGER`).join(", ")}]::INTEGER[]`
        : "NULL::INTEGER[]",
      int(f.sortOrderId),
    ];
  });
  return valuesSql(columns, rows);
}

export async function manifestsSql(
  store: ObjectStore,
  m: TableMetadata,
  snapshot: Snapshot | undefined,
): Promise<string> {
  const refs = await manifestsOf(store, m, snapshot);
  const sources = new Map(partitionColumns(m).map((c) => [c.fieldId, c]));
  const summary =
    "STRUCT(contains_null BOOLEAN, contains_nan BOOLEAN, lower_bound VARCHAR, upper_bound VARCHAR)";
  const columns = [
    { name: "content", type: "INTEGER" },
    { name: "path", type: "VARCHAR" },
    { name: "length", type: "BIGINT" },
    { name: "partition_spec_id", type: "INTEGER" },
    { name: "added_snapshot_id", type: "BIGINT" },
    { name: "added_data_files_count", type: "INTEGER" },
    { name: "existing_data_files_count", type: "INTEGER" },
    { name: "deleted_data_files_count", type: "INTEGER" },
    { name: "added_delete_files_count", type: "INTEGER" },
    { name: "existing_delete_files_count", type: "INTEGER" },
    { name: "deleted_delete_files_count", type: "INTEGER" },
    { name: "partition_summaries", type: `${summary}[]` },
  ];
  const rows = refs.map(({ path, entry: e }) => {
    const data = e?.content !== ManifestContent.DELETES;
    const spec = m.partitionSpecs.find((s) => s.specId === e?.partitionSpecId);
    const bound = (fieldId: number | undefined, bytes: Uint8Array | undefined): string => {
      const c = fieldId === undefined ? undefined : sources.get(fieldId);
      if (!bytes || !c || c.type.type === "unknown" || !c.source) return "NULL::VARCHAR";
      return sqlString(humanString(c.transform, c.source, fromSingleValue(c.type, bytes)));
    };
    const summaries = e?.partitions
      ? `[${e.partitions
          .map((p, i) => {
            const id = spec?.fields[i]?.fieldId;
            return `{'contains_null': ${bool(p.containsNull)}, 'contains_nan': ${bool(p.containsNan)}, 'lower_bound': ${bound(id, p.lowerBound)}, 'upper_bound': ${bound(id, p.upperBound)}}`;
          })
          .join(", ")}]`
      : "NULL";
    return [
      int(e?.content ?? 0),
      str(path),
      big(e?.manifestLength),
      int(e?.partitionSpecId),
      big(e?.addedSnapshotId),
      int(data ? e?.addedFilesCount : 0),
      int(data ? e?.existingFilesCount : 0),
      int(data ? e?.deletedFilesCount : 0),
      int(data ? 0 : e?.addedFilesCount),
      int(data ? 0 : e?.existingFilesCount),
      int(data ? 0 : e?.deletedFilesCount),
      e?.partitions?.length === 0 ? `[]::${summary}[]` : summaries,
    ];
  });
  return valuesSql(columns, rows);
}

interface PartitionStats {
  readonly specId: number;
  readonly partition: ReadonlyMap<number, PrimitiveValue | null>;
  records: bigint;
  files: number;
  size: bigint;
  posRecords: bigint;
  posFiles: number;
  eqRecords: bigint;
  eqFiles: number;
  lastSnapshotId: bigint | undefined;
}

export async function partitionsSql(
  store: ObjectStore,
  m: TableMetadata,
  snapshot: Snapshot | undefined,
): Promise<string> {
  const cols = partitionColumns(m);
  const groups = new Map<string, PartitionStats>();
  for (const { entry, specId, partition } of await liveEntries(store, m, snapshot)) {
    // Files of different specs with the same values in the table's partition struct are one partition.
    const key = cols.map((c) => String(valueSql(c.type, partition.get(c.fieldId) ?? null))).join("\u0000");
    let g = groups.get(key);
    if (!g) {
      g = {
        specId,
        partition,
        records: 0n,
        files: 0,
        size: 0n,
        posRecords: 0n,
        posFiles: 0,
        eqRecords: 0n,
        eqFiles: 0,
        lastSnapshotId: undefined,
      };
      groups.set(key, g);
    }
    const f = entry.dataFile;
    if (f.content === DataFileContent.DATA) {
      g.records += f.recordCount;
      g.files++;
      g.size += f.fileSizeInBytes;
    } else if (f.content === DataFileContent.POSITION_DELETES) {
      g.posRecords += f.recordCount;
      g.posFiles++;
    } else {
      g.eqRecords += f.recordCount;
      g.eqFiles++;
    }
    const at = (id: bigint | undefined) => m.snapshots.find((s) => s.snapshotId === id)?.timestampMs ?? -1;
    if (
      entry.snapshotId !== null &&
      (g.lastSnapshotId === undefined || at(entry.snapshotId) > at(g.lastSnapshotId))
    )
      g.lastSnapshotId = entry.snapshotId;
  }
  const columns = [
    ...(cols.length > 0
      ? [
          { name: "partition", type: structType(cols) },
          { name: "spec_id", type: "INTEGER" },
        ]
      : []),
    { name: "record_count", type: "BIGINT" },
    { name: "file_count", type: "INTEGER" },
    { name: "total_data_file_size_in_bytes", type: "BIGINT" },
    { name: "position_delete_record_count", type: "BIGINT" },
    { name: "position_delete_file_count", type: "INTEGER" },
    { name: "equality_delete_record_count", type: "BIGINT" },
    { name: "equality_delete_file_count", type: "INTEGER" },
    { name: "last_updated_at", type: "TIMESTAMPTZ" },
    { name: "last_updated_snapshot_id", type: "BIGINT" },
  ];
  const rows = [...groups.values()].map((g) => {
    const last = m.snapshots.find((s) => s.snapshotId === g.lastSnapshotId);
    return [
      ...(cols.length > 0 ? [partitionSql(cols, g.partition), int(g.specId)] : []),
      big(g.records),
      int(g.files),
      big(g.size),
      big(g.posRecords),
      int(g.posFiles),
      big(g.eqRecords),
      int(g.eqFiles),
      last ? tsMs(last.timestampMs) : "NULL::TIMESTAMPTZ",
      big(g.lastSnapshotId),
    ];
  });
  return valuesSql(columns, rows);
}
