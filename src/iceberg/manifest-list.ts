import { badRequest } from "../core/errors.ts";
import { IdStruct, parseAvroSchema, toIdForm } from "./avro/by-id.ts";
import { readAvroFile, writeAvroFile, type WriteCodec } from "./avro/container.ts";
import { FieldReader } from "./avro/fields.ts";
import { listOf, opt, req } from "./avro/iceberg-avro.ts";

/** Spec "Manifest Lists" `content`. */
export const ManifestContent = { DATA: 0, DELETES: 1 } as const;
export type ManifestContent = (typeof ManifestContent)[keyof typeof ManifestContent];

/** `field_summary`: bounds are single-value serialized with the partition field's result type. */
export interface FieldSummary {
  readonly containsNull: boolean;
  readonly containsNan?: boolean;
  readonly lowerBound?: Uint8Array;
  readonly upperBound?: Uint8Array;
}

/**
 * One manifest as a manifest list records it (`manifest_file`). 64-bit values are `bigint`.
 * A manifest written but not yet committed has `sequenceNumber` and possibly `minSequenceNumber`
 * `null` (Java's UNASSIGNED_SEQ): the manifest list writer fills in the snapshot's sequence number.
 * Counts are absent only in v1 lists that left them out (then "assumed non-zero", per spec).
 */
export interface ManifestFile {
  readonly manifestPath: string;
  readonly manifestLength: bigint;
  readonly partitionSpecId: number;
  readonly content: ManifestContent;
  readonly sequenceNumber: bigint | null;
  readonly minSequenceNumber: bigint | null;
  readonly addedSnapshotId: bigint;
  readonly addedFilesCount?: number;
  readonly existingFilesCount?: number;
  readonly deletedFilesCount?: number;
  readonly addedRowsCount?: bigint;
  readonly existingRowsCount?: bigint;
  readonly deletedRowsCount?: bigint;
  readonly partitions?: readonly FieldSummary[];
  readonly keyMetadata?: Uint8Array;
  /** v3: the first row id of the rows added by this manifest's ADDED data files. */
  readonly firstRowId?: bigint;
}

export interface ManifestList {
  /** `format-version` from the file metadata; 1 when absent. */
  readonly formatVersion: number;
  /** The Avro file metadata (`snapshot-id`, `parent-snapshot-id`, `sequence-number`, …). */
  readonly metadata: ReadonlyMap<string, string>;
  readonly manifests: readonly ManifestFile[];
}

// Field order and names as Java's V2Metadata.MANIFEST_LIST_SCHEMA writes them.
const FIELD_SUMMARY = {
  type: "record",
  name: "r508",
  fields: [
    req(509, "contains_null", "boolean", "true if any file has a null partition value"),
    opt(518, "contains_nan", "boolean", "true if any file has a nan partition value"),
    opt(510, "lower_bound", "bytes", "Partition lower bound for all files"),
    opt(511, "upper_bound", "bytes", "Partition upper bound for all files"),
  ],
};

const MANIFEST_LIST_V2 = {
  type: "record",
  name: "manifest_file",
  fields: [
    req(500, "manifest_path", "string", "Location URI with FS scheme"),
    req(501, "manifest_length", "long", "Total file size in bytes"),
    req(502, "partition_spec_id", "int", "Spec ID used to write"),
    req(517, "content", "int", "Contents of the manifest: 0=data, 1=deletes"),
    req(515, "sequence_number", "long", "Sequence number when the manifest was added"),
    req(516, "min_sequence_number", "long", "Lowest sequence number in the manifest"),
    req(503, "added_snapshot_id", "long", "Snapshot ID that added the manifest"),
    req(504, "added_files_count", "int", "Added entry count"),
    req(505, "existing_files_count", "int", "Existing entry count"),
    req(506, "deleted_files_count", "int", "Deleted entry count"),
    req(512, "added_rows_count", "long", "Added rows count"),
    req(513, "existing_rows_count", "long", "Existing rows count"),
    req(514, "deleted_rows_count", "long", "Deleted rows count"),
    opt(507, "partitions", listOf(508, FIELD_SUMMARY), "Summary for each partition"),
    opt(519, "key_metadata", "bytes", "Encryption key metadata blob"),
  ],
};

// Java's V1Metadata.MANIFEST_LIST_SCHEMA: no content or sequence numbers, optional counts.
const MANIFEST_LIST_V1 = {
  type: "record",
  name: "manifest_file",
  fields: [
    req(500, "manifest_path", "string", "Location URI with FS scheme"),
    req(501, "manifest_length", "long", "Total file size in bytes"),
    req(502, "partition_spec_id", "int", "Spec ID used to write"),
    req(503, "added_snapshot_id", "long", "Snapshot ID that added the manifest"),
    opt(504, "added_files_count", "int", "Added entry count"),
    opt(505, "existing_files_count", "int", "Existing entry count"),
    opt(506, "deleted_files_count", "int", "Deleted entry count"),
    opt(507, "partitions", listOf(508, FIELD_SUMMARY), "Summary for each partition"),
    opt(512, "added_rows_count", "long", "Added rows count"),
    opt(513, "existing_rows_count", "long", "Existing rows count"),
    opt(514, "deleted_rows_count", "long", "Deleted rows count"),
    opt(519, "key_metadata", "bytes", "Encryption key metadata blob"),
  ],
};

export interface ManifestListWriteOptions {
  /** 2 (default) or 1, for tables of format v1: no content, no sequence numbers. */
  readonly formatVersion?: 1 | 2;
  readonly snapshotId: bigint;
  readonly parentSnapshotId: bigint | null;
  /** The snapshot's sequence number, given to manifests added by it whose number is unassigned. */
  readonly sequenceNumber: bigint;
  readonly manifests: readonly ManifestFile[];
  readonly codec?: WriteCodec;
}

/**
 * Writes a format v2 (or v1) manifest list, with the file metadata Java writes. Manifests whose
 * sequence number is unassigned must have been added by `snapshotId`; they get `sequenceNumber`.
 */
export function writeManifestList(opts: ManifestListWriteOptions): Uint8Array {
  const v1 = opts.formatVersion === 1;
  const records = opts.manifests.map((m) => {
    const need = <T>(v: T | undefined, name: string): T | null => {
      if (v === undefined && !v1)
        throw badRequest(`Manifest ${m.manifestPath} has no ${name}; v2 requires it`);
      return v ?? null;
    };
    if (v1 && m.content !== ManifestContent.DATA)
      throw badRequest(`Manifest ${m.manifestPath} tracks deletes, which format v1 does not have`);
    let seq = m.sequenceNumber;
    if (seq === null && !v1) {
      if (m.addedSnapshotId !== opts.snapshotId)
        throw badRequest(
          `Manifest ${m.manifestPath} has no sequence number but was added by snapshot ${m.addedSnapshotId}, not ${opts.snapshotId}`,
        );
      seq = opts.sequenceNumber;
    }
    return {
      manifest_path: m.manifestPath,
      manifest_length: m.manifestLength,
      partition_spec_id: m.partitionSpecId,
      content: m.content,
      sequence_number: seq,
      min_sequence_number: m.minSequenceNumber ?? seq,
      added_snapshot_id: m.addedSnapshotId,
      added_files_count: need(m.addedFilesCount, "added_files_count"),
      existing_files_count: need(m.existingFilesCount, "existing_files_count"),
      deleted_files_count: need(m.deletedFilesCount, "deleted_files_count"),
      added_rows_count: need(m.addedRowsCount, "added_rows_count"),
      existing_rows_count: need(m.existingRowsCount, "existing_rows_count"),
      deleted_rows_count: need(m.deletedRowsCount, "deleted_rows_count"),
      partitions:
        m.partitions?.map((p) => ({
          contains_null: p.containsNull,
          contains_nan: p.containsNan ?? null,
          lower_bound: p.lowerBound ? Buffer.from(p.lowerBound) : null,
          upper_bound: p.upperBound ? Buffer.from(p.upperBound) : null,
        })) ?? null,
      key_metadata: m.keyMetadata ? Buffer.from(m.keyMetadata) : null,
    };
  });
  const metadata = {
    "snapshot-id": String(opts.snapshotId),
    "parent-snapshot-id": opts.parentSnapshotId === null ? "null" : String(opts.parentSnapshotId),
    ...(v1 ? {} : { "sequence-number": String(opts.sequenceNumber) }),
    "format-version": v1 ? "1" : "2",
  };
  return writeAvroFile(v1 ? MANIFEST_LIST_V1 : MANIFEST_LIST_V2, records, metadata, opts.codec);
}

/**
 * Reads a manifest list of format v1, v2 or v3, resolving fields by field id. Fields v1 lacks take
 * the spec's defaults (content data, sequence numbers 0). Throws BAD_REQUEST naming `location`.
 */
export function readManifestList(bytes: Uint8Array, location: string): ManifestList {
  const what = `manifest list ${location}`;
  const file = readAvroFile(bytes, what);
  const node = parseAvroSchema(file.schema, what);
  const r = new FieldReader(what);
  if (node.kind !== "record") r.fail("the Avro schema is not a record");
  const manifests = file.records.map((raw) => {
    const s = toIdForm(node, raw) as IdStruct;
    const num = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
    const content = r.optional(s, 517, "content", "int") ?? 0;
    if (content !== 0 && content !== 1)
      r.fail(`manifest content ${content} is neither 0 (data) nor 1 (deletes)`);
    const partitions = r.optional(s, 507, "partitions", "list");
    const m: ManifestFile = {
      manifestPath: r.required(s, 500, "manifest_path", "string"),
      manifestLength: r.required(s, 501, "manifest_length", "long"),
      partitionSpecId: r.required(s, 502, "partition_spec_id", "int"),
      content: content as ManifestContent,
      sequenceNumber: r.optional(s, 515, "sequence_number", "long") ?? 0n,
      minSequenceNumber: r.optional(s, 516, "min_sequence_number", "long") ?? 0n,
      addedSnapshotId: r.required(s, 503, "added_snapshot_id", "long"),
      addedFilesCount: num(r.optional(s, 504, "added_files_count", "int")),
      existingFilesCount: num(r.optional(s, 505, "existing_files_count", "int")),
      deletedFilesCount: num(r.optional(s, 506, "deleted_files_count", "int")),
      addedRowsCount: num(r.optional(s, 512, "added_rows_count", "long")),
      existingRowsCount: num(r.optional(s, 513, "existing_rows_count", "long")),
      deletedRowsCount: num(r.optional(s, 514, "deleted_rows_count", "long")),
      partitions: partitions?.map((p) => {
        if (!(p instanceof IdStruct))
          return r.fail("field 507 (partitions) is not a list of field summaries");
        return {
          containsNull: r.required(p, 509, "contains_null", "boolean"),
          containsNan: num(r.optional(p, 518, "contains_nan", "boolean")),
          lowerBound: num(r.optional(p, 510, "lower_bound", "bytes")),
          upperBound: num(r.optional(p, 511, "upper_bound", "bytes")),
        };
      }),
      keyMetadata: num(r.optional(s, 519, "key_metadata", "bytes")),
      firstRowId: num(r.optional(s, 520, "first_row_id", "long")),
    };
    return dropUndefined(m);
  });
  return { formatVersion: formatVersionOf(file.metadata, r), metadata: file.metadata, manifests };
}

export function formatVersionOf(metadata: ReadonlyMap<string, string>, r: FieldReader): number {
  const v = metadata.get("format-version");
  if (v === undefined) return 1;
  if (!/^[1-3]$/.test(v)) r.fail(`unsupported format-version "${v}" (floe reads 1 to 3)`);
  return Number(v);
}

/** Leaves absent optional fields out, so that read values compare equal to written ones. */
export function dropUndefined<T extends object>(o: T): T {
  // A copy rather than `delete`, which turns objects into slow dictionary-mode ones.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
