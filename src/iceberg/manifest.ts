import { badRequest } from "../core/errors.ts";
import { IdStruct, parseAvroSchema, toIdForm, type AvroNode } from "./avro/by-id.ts";
import {
  readAvroFile,
  writeAvroFile,
  type AvroProjection,
  type AvroSchema,
  type WriteCodec,
} from "./avro/container.ts";
import { FieldReader } from "./avro/fields.ts";
import {
  avroName,
  avroToPrimitive,
  fromAvroValue,
  intMapOf,
  listOf,
  opt,
  partitionAvroSchema,
  req,
  toAvroValue,
} from "./avro/iceberg-avro.ts";
import {
  DataFileContent,
  EntryStatus,
  type DataFile,
  type ManifestEntry,
  type PartitionType,
  type PartitionValues,
} from "./data-file.ts";
import { dropUndefined, formatVersionOf, ManifestContent, type ManifestFile } from "./manifest-list.ts";
import { summarizePartitions } from "./manifest-summary.ts";
import {
  partitionFieldToJson,
  partitionType as partitionTypeOf,
  type PartitionSpec,
} from "./partition-spec.ts";
import { schemaToJson, type Schema } from "./schema.ts";
import type { PrimitiveType, PrimitiveValue } from "./types.ts";

/** Field order and names as Java's V2Metadata (or V1Metadata) writes `data_file` (`r2`). */
function dataFileSchema(partitionType: PartitionType, v1: boolean): AvroSchema {
  const v2 = (...fields: object[]): object[] => (v1 ? [] : fields);
  return {
    type: "record",
    name: "r2",
    fields: [
      ...v2(
        req(134, "content", "int", "Contents of the file: 0=data, 1=position deletes, 2=equality deletes"),
      ),
      req(100, "file_path", "string", "Location URI with FS scheme"),
      req(101, "file_format", "string", "File format name: avro, orc, parquet, puffin"),
      req(
        102,
        "partition",
        partitionAvroSchema(partitionType),
        "Partition data tuple, schema based on the partition spec",
      ),
      req(103, "record_count", "long", "Number of records in the file"),
      req(104, "file_size_in_bytes", "long", "Total file size in bytes"),
      ...(v1 ? [req(105, "block_size_in_bytes", "long")] : []),
      opt(108, "column_sizes", intMapOf(117, 118, "long"), "Map of column id to total size on disk"),
      opt(
        109,
        "value_counts",
        intMapOf(119, 120, "long"),
        "Map of column id to total count, including null and NaN",
      ),
      opt(110, "null_value_counts", intMapOf(121, 122, "long"), "Map of column id to null value count"),
      opt(
        137,
        "nan_value_counts",
        intMapOf(138, 139, "long"),
        "Map of column id to number of NaN values in the column",
      ),
      opt(125, "lower_bounds", intMapOf(126, 127, "bytes"), "Map of column id to lower bound"),
      opt(128, "upper_bounds", intMapOf(129, 130, "bytes"), "Map of column id to upper bound"),
      opt(131, "key_metadata", "bytes", "Encryption key metadata blob"),
      opt(132, "split_offsets", listOf(133, "long"), "Splittable offsets"),
      ...v2(opt(135, "equality_ids", listOf(136, "int"), "Equality comparison field IDs")),
      opt(140, "sort_order_id", "int", "Sort order ID"),
      ...v2(
        opt(
          143,
          "referenced_data_file",
          "string",
          "Fully qualified location (URI with FS scheme) of a data file that all deletes reference",
        ),
      ),
    ],
  };
}

function manifestEntrySchema(partitionType: PartitionType, v1: boolean): AvroSchema {
  return {
    type: "record",
    name: "manifest_entry",
    fields: [
      req(0, "status", "int"),
      opt(1, "snapshot_id", "long"),
      ...(v1 ? [] : [opt(3, "sequence_number", "long"), opt(4, "file_sequence_number", "long")]),
      req(2, "data_file", dataFileSchema(partitionType, v1)),
    ],
  };
}

// Java's DEFAULT_BLOCK_SIZE: v1 requires the deprecated block_size_in_bytes, "always write a default".
const V1_BLOCK_SIZE = 64n * 1024n * 1024n;

export interface ManifestWriteOptions {
  /** 2 (default) or 1, for tables of format v1: data only, no sequence numbers. */
  readonly formatVersion?: 1 | 2;
  /** Where the manifest will be stored; recorded in the returned `ManifestFile`. */
  readonly location: string;
  readonly content: ManifestContent;
  /** The snapshot that commits this manifest: `added_snapshot_id`, and entries' default snapshot id. */
  readonly snapshotId: bigint;
  /** The table schema the manifest is written with, and the partition spec of all its files. */
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  readonly entries: readonly ManifestEntry[];
  readonly codec?: WriteCodec;
}

export interface WrittenManifest {
  readonly bytes: Uint8Array;
  /**
   * Its manifest list entry: counts, partition summaries and the minimum data sequence number of
   * live entries; `sequenceNumber` unassigned (`null`) until the manifest list writer sets it.
   */
  readonly manifest: ManifestFile;
}

/**
 * Writes a format v2 manifest with the file metadata Java writes (`schema`, `schema-id`,
 * `partition-spec`, `partition-spec-id`, `format-version`, `content`). Entries keep the snapshot id
 * and sequence numbers they carry; `null` is written for inheritance (spec "Sequence Number
 * Inheritance"), which only ADDED entries may use. With `formatVersion: 1`, a v1 manifest: data
 * files only, every entry with a snapshot id, no sequence numbers (they read as 0).
 */
export function writeManifest(opts: ManifestWriteOptions): WrittenManifest {
  const partitionType = partitionTypeOf(opts.spec, opts.schema);
  const types = partitionType.fields.map((f) => f.type as PrimitiveType);
  const counts = { files: [0, 0, 0], rows: [0n, 0n, 0n] };
  let minSeq: bigint | null = null;
  const v1 = opts.formatVersion === 1;
  if (v1 && opts.content !== ManifestContent.DATA)
    throw badRequest(`Cannot write manifest ${opts.location}: format v1 has no delete files`);
  const records = opts.entries.map((e, i) => {
    const f = e.dataFile;
    const fail = (problem: string): never => {
      throw badRequest(`Cannot write manifest ${opts.location}: entry ${i} (${f.filePath}) ${problem}`);
    };
    if ((f.content === DataFileContent.DATA) !== (opts.content === ManifestContent.DATA))
      fail(
        `has content ${f.content}, which does not belong in a ${opts.content === 0 ? "data" : "delete"} manifest`,
      );
    if (!v1 && e.status !== EntryStatus.ADDED && (e.sequenceNumber === null || e.fileSequenceNumber === null))
      fail("is existing or deleted, so it must carry both sequence numbers");
    if (f.partition.length !== types.length)
      fail(`has ${f.partition.length} partition values for ${types.length} partition fields`);
    counts.files[e.status] = (counts.files[e.status] ?? 0) + 1;
    counts.rows[e.status] = (counts.rows[e.status] ?? 0n) + f.recordCount;
    if (
      e.status !== EntryStatus.DELETED &&
      e.sequenceNumber !== null &&
      (minSeq === null || e.sequenceNumber < minSeq)
    )
      minSeq = e.sequenceNumber;
    const partition: Record<string, unknown> = {};
    partitionType.fields.forEach((pf, j) => {
      partition[avroName(pf.name)] = toAvroValue(types[j] as PrimitiveType, f.partition[j] ?? null);
    });
    const map = <V>(m: ReadonlyMap<number, V> | undefined, conv: (v: V) => unknown) =>
      m ? [...m].map(([key, value]) => ({ key, value: conv(value) })) : null;
    const id = <V>(v: V) => v;
    return {
      status: e.status,
      snapshot_id: e.snapshotId ?? opts.snapshotId,
      sequence_number: e.sequenceNumber,
      file_sequence_number: e.fileSequenceNumber,
      data_file: {
        content: f.content,
        file_path: f.filePath,
        file_format: f.fileFormat,
        partition,
        record_count: f.recordCount,
        file_size_in_bytes: f.fileSizeInBytes,
        block_size_in_bytes: V1_BLOCK_SIZE,
        column_sizes: map(f.columnSizes, id),
        value_counts: map(f.valueCounts, id),
        null_value_counts: map(f.nullValueCounts, id),
        nan_value_counts: map(f.nanValueCounts, id),
        lower_bounds: map(f.lowerBounds, (b) => Buffer.from(b)),
        upper_bounds: map(f.upperBounds, (b) => Buffer.from(b)),
        key_metadata: f.keyMetadata ? Buffer.from(f.keyMetadata) : null,
        split_offsets: f.splitOffsets ?? null,
        equality_ids: f.equalityIds ?? null,
        sort_order_id: f.sortOrderId ?? null,
        referenced_data_file: f.referencedDataFile ?? null,
      },
    };
  });
  const metadata = {
    schema: JSON.stringify(schemaToJson(opts.schema)),
    "schema-id": String(opts.schema.schemaId),
    "partition-spec": JSON.stringify(opts.spec.fields.map(partitionFieldToJson)),
    "partition-spec-id": String(opts.spec.specId),
    "format-version": v1 ? "1" : "2",
    ...(v1 ? {} : { content: opts.content === ManifestContent.DATA ? "data" : "deletes" }),
  };
  let bytes: Uint8Array;
  try {
    bytes = writeAvroFile(manifestEntrySchema(partitionType, v1), records, metadata, opts.codec);
  } catch (e) {
    throw badRequest(`Cannot write manifest ${opts.location}: ${(e as Error).message}`);
  }
  const manifest: ManifestFile = {
    manifestPath: opts.location,
    manifestLength: BigInt(bytes.length),
    partitionSpecId: opts.spec.specId,
    content: opts.content,
    sequenceNumber: null,
    minSequenceNumber: minSeq,
    addedSnapshotId: opts.snapshotId,
    addedFilesCount: counts.files[EntryStatus.ADDED],
    existingFilesCount: counts.files[EntryStatus.EXISTING],
    deletedFilesCount: counts.files[EntryStatus.DELETED],
    addedRowsCount: counts.rows[EntryStatus.ADDED],
    existingRowsCount: counts.rows[EntryStatus.EXISTING],
    deletedRowsCount: counts.rows[EntryStatus.DELETED],
    partitions: summarizePartitions(
      partitionType,
      opts.entries.map((e) => e.dataFile.partition),
    ),
  };
  return { bytes, manifest };
}

export interface Manifest {
  /** `format-version` from the file metadata; 1 when absent. */
  readonly formatVersion: number;
  readonly content: ManifestContent;
  /** `partition-spec-id`; from the manifest list entry when the file (v1) lacks it. */
  readonly specId: number | undefined;
  readonly schemaId: number | undefined;
  /** The file metadata as written (`schema`, `partition-spec`, …). */
  readonly metadata: ReadonlyMap<string, string>;
  /** The type `partition` values were read with: the one given, or the file's own. */
  readonly partitionType: PartitionType;
  readonly entries: readonly ManifestEntry[];
}

export interface ManifestReadOptions {
  /**
   * The manifest's entry in its manifest list, whose `addedSnapshotId` and `sequenceNumber` fill
   * null snapshot ids and (for ADDED entries) null sequence numbers, and whose `firstRowId` (v3)
   * assigns first row ids of live data files. Without it nothing is inherited.
   */
  readonly manifest?: ManifestFile;
  /** Read partition tuples in this type's field order (by partition field id); default: the file's. */
  readonly partitionType?: PartitionType;
  /**
   * Leaves entries out before they are decoded in full (a scan's partition filter): called once
   * with the manifest's spec id and partition type, the function it returns (none: keep all) is
   * asked about each entry's status and partition tuple, read by a cheap first look. Refused
   * entries are not decoded — not checked, not in `entries`. Ignored when first row ids are to be
   * assigned (v3 row lineage counts every entry).
   */
  readonly keep?: (
    specId: number | undefined,
    partitionType: PartitionType,
  ) => ((status: EntryStatus, partition: PartitionValues) => boolean) | undefined;
}

/**
 * Reads a manifest of format v1, v2 or v3, resolving every field by field id, with the spec's
 * defaults for v1 files (data content, sequence numbers 0) and sequence number / snapshot id
 * inheritance. Throws BAD_REQUEST naming `location` on any problem with the file.
 */
export function readManifest(bytes: Uint8Array, location: string, opts: ManifestReadOptions = {}): Manifest {
  const what = `manifest ${location}`;
  const r = new FieldReader(what);
  const m = opts.manifest;
  const file = readAvroFile(
    bytes,
    what,
    opts.keep && m?.firstRowId === undefined
      ? (schema, metadata) => keepProjection(schema, metadata, r, opts)
      : undefined,
  );
  const { node, partitionType } = manifestShape(file.schema, r, opts);
  const formatVersion = formatVersionOf(file.metadata, r);
  const contentKey = file.metadata.get("content") ?? "data";
  if (contentKey !== "data" && contentKey !== "deletes") r.fail(`file metadata content is "${contentKey}"`);
  const intKey = (k: string): number | undefined => {
    const v = file.metadata.get(k);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) return r.fail(`file metadata ${k} is "${v}", not a number`);
    return Number(v);
  };

  // v1 files have no sequence number columns: their files' sequence numbers are 0.
  const hasSeq = node.fields.some((f) => f.id === 3);
  const hasFileSeq = node.fields.some((f) => f.id === 4);
  // v3 row lineage (spec "First Row ID Inheritance"): live data files without a first row id take
  // the manifest's, advanced by the record counts of the files before them that took one.
  let nextRowId = contentKey === "data" ? m?.firstRowId : undefined;
  const entries = file.records.map((raw): ManifestEntry => {
    const s = toIdForm(node, raw) as IdStruct;
    const status = r.required(s, 0, "status", "int");
    if (status !== 0 && status !== 1 && status !== 2) r.fail(`entry status ${status} is not 0, 1 or 2`);
    const inherit = m !== undefined && (status === EntryStatus.ADDED || m.sequenceNumber === 0n);
    const withRowId = (f: DataFile): DataFile => {
      if (nextRowId === undefined || status === EntryStatus.DELETED || f.firstRowId !== undefined) return f;
      const firstRowId = nextRowId;
      nextRowId += f.recordCount;
      return { ...f, firstRowId };
    };
    const seq = (id: number, name: string, present: boolean): bigint | null => {
      if (!present) return 0n;
      return r.optional(s, id, name, "long") ?? (inherit ? m.sequenceNumber : null);
    };
    return {
      status: status as EntryStatus,
      snapshotId: r.optional(s, 1, "snapshot_id", "long") ?? m?.addedSnapshotId ?? null,
      sequenceNumber: seq(3, "sequence_number", hasSeq),
      fileSequenceNumber: seq(4, "file_sequence_number", hasFileSeq),
      dataFile: withRowId(readDataFile(r, r.required(s, 2, "data_file", "struct"), partitionType)),
    };
  });
  return {
    formatVersion,
    content: contentKey === "data" ? ManifestContent.DATA : ManifestContent.DELETES,
    specId: intKey("partition-spec-id") ?? m?.partitionSpecId,
    schemaId: intKey("schema-id"),
    metadata: file.metadata,
    partitionType,
    entries,
  };
}

/** The entry record of a manifest's schema and the partition type its tuples are read with. */
function manifestShape(
  schema: AvroSchema,
  r: FieldReader,
  opts: ManifestReadOptions,
): { node: Extract<AvroNode, { kind: "record" }>; partitionType: PartitionType } {
  const node = parseAvroSchema(schema, r.what);
  if (node.kind !== "record") return r.fail("the Avro schema is not a record");
  const dataFileNode = recordOf(node, 2);
  if (!dataFileNode) return r.fail("no record field with id 2 (data_file)");
  const partitionNode = recordOf(dataFileNode, 102);
  if (!partitionNode) return r.fail("no record field with id 102 (data_file.partition)");
  const filePartitionType: PartitionType = {
    type: "struct",
    fields: partitionNode.fields.map((f) => {
      if (f.id === undefined) return r.fail(`partition field ${f.name} has no field id`);
      const type = avroToPrimitive(f.node);
      if (!type) return r.fail(`partition field ${f.id} (${f.name}) has no primitive type`);
      return { id: f.id, name: f.name, required: false, type };
    }),
  };
  return { node, partitionType: opts.partitionType ?? filePartitionType };
}

/**
 * `opts.keep` as a projection of the manifest's records: status and `data_file.partition` only
 * (avsc skips the rest). An entry whose status or partition does not read is kept, so that the
 * full read reports it.
 */
function keepProjection(
  schema: AvroSchema,
  metadata: ReadonlyMap<string, string>,
  r: FieldReader,
  opts: ManifestReadOptions,
): AvroProjection | undefined {
  const { partitionType } = manifestShape(schema, r, opts);
  const specKey = metadata.get("partition-spec-id");
  const specId =
    specKey !== undefined && /^\d+$/.test(specKey) ? Number(specKey) : opts.manifest?.partitionSpecId;
  const keep = opts.keep?.(specId, partitionType);
  const projected = projectStatusAndPartition(schema);
  if (!keep || !projected) return undefined;
  const node = parseAvroSchema(projected, r.what);
  return {
    schema: projected,
    keep: (raw) => {
      const s = toIdForm(node, raw) as IdStruct;
      const status = s.get(0);
      const dataFile = s.get(2);
      if ((status !== 0 && status !== 1 && status !== 2) || !(dataFile instanceof IdStruct)) return true;
      const p = dataFile.get(102);
      if (!(p instanceof IdStruct)) return true;
      const partition: (PrimitiveValue | null)[] = [];
      for (const pf of partitionType.fields) {
        const v = fromAvroValue(pf.type as PrimitiveType, p.get(pf.id));
        if (v === undefined) return true;
        partition.push(v);
      }
      return keep(status, partition);
    },
  };
}

const projections = new WeakMap<object, AvroSchema | undefined>();

/**
 * The manifest entry schema with only `status` (id 0) and `data_file` (2) with its `partition`
 * (102); frozen, and kept with the (frozen) writer schema it comes from.
 */
function projectStatusAndPartition(schema: AvroSchema): AvroSchema | undefined {
  if (typeof schema !== "object" || !Object.isFrozen(schema)) return projectSchema(schema);
  if (!projections.has(schema)) {
    const p = projectSchema(schema);
    projections.set(schema, p && Object.freeze(p));
  }
  return projections.get(schema);
}

function projectSchema(schema: AvroSchema): AvroSchema | undefined {
  type Json = { readonly [k: string]: unknown };
  const idOf = (f: Json) => Number(f["field-id"]);
  const fieldsOf = (t: unknown) =>
    typeof t === "object" && t !== null && Array.isArray((t as Json).fields)
      ? ((t as Json).fields as Json[])
      : undefined;
  const top = fieldsOf(schema);
  const status = top?.find((f) => idOf(f) === 0);
  const dataFile = top?.find((f) => idOf(f) === 2);
  const dataFileFields = fieldsOf(dataFile?.type);
  const partition = dataFileFields?.find((f) => idOf(f) === 102);
  if (!status || !dataFile || !partition) return undefined;
  return {
    ...(schema as Json),
    fields: [status, { ...dataFile, type: { ...(dataFile.type as Json), fields: [partition] } }],
  };
}

function recordOf(node: Extract<AvroNode, { kind: "record" }>, id: number) {
  const f = node.fields.find((x) => x.id === id);
  const n = f?.node.kind === "optional" ? f.node.of : f?.node;
  return n?.kind === "record" ? n : undefined;
}

function readDataFile(r: FieldReader, s: IdStruct, partitionType: PartitionType): DataFile {
  const content = r.optional(s, 134, "content", "int") ?? 0;
  if (content !== 0 && content !== 1 && content !== 2)
    r.fail(`data file content ${content} is not 0, 1 or 2`);
  const p = r.required(s, 102, "partition", "struct");
  const partition = partitionType.fields.map((pf): PrimitiveValue | null => {
    const v = fromAvroValue(pf.type as PrimitiveType, p.get(pf.id));
    if (v === undefined)
      return r.fail(`partition field ${pf.id} (${pf.name}) is not of type ${pf.type.type}`);
    return v;
  });
  const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
  return dropUndefined<DataFile>({
    content: content as DataFileContent,
    filePath: r.required(s, 100, "file_path", "string"),
    fileFormat: r.required(s, 101, "file_format", "string"),
    partition,
    recordCount: r.required(s, 103, "record_count", "long"),
    fileSizeInBytes: r.required(s, 104, "file_size_in_bytes", "long"),
    columnSizes: r.intMap(s, 108, "column_sizes", 117, 118, "long"),
    valueCounts: r.intMap(s, 109, "value_counts", 119, 120, "long"),
    nullValueCounts: r.intMap(s, 110, "null_value_counts", 121, 122, "long"),
    nanValueCounts: r.intMap(s, 137, "nan_value_counts", 138, 139, "long"),
    lowerBounds: r.intMap(s, 125, "lower_bounds", 126, 127, "bytes"),
    upperBounds: r.intMap(s, 128, "upper_bounds", 129, 130, "bytes"),
    keyMetadata: orUndefined(r.optional(s, 131, "key_metadata", "bytes")),
    splitOffsets: r.list(s, 132, "split_offsets", "long"),
    equalityIds: r.list(s, 135, "equality_ids", "int"),
    sortOrderId: orUndefined(r.optional(s, 140, "sort_order_id", "int")),
    firstRowId: orUndefined(r.optional(s, 142, "first_row_id", "long")),
    referencedDataFile: orUndefined(r.optional(s, 143, "referenced_data_file", "string")),
    contentOffset: orUndefined(r.optional(s, 144, "content_offset", "long")),
    contentSizeInBytes: orUndefined(r.optional(s, 145, "content_size_in_bytes", "long")),
  });
}
