import type { PrimitiveValue, StructType } from "./types.ts";

/**
 * A partition spec's result type (`partitionType(spec, schema)` of partition-spec.ts): one optional
 * field per partition field, by partition field id.
 */
export type PartitionType = StructType;

/** Values of a partition tuple, in the order of the partition type's fields; `null` for a null value. */
export type PartitionValues = readonly (PrimitiveValue | null)[];

/** Spec "Data File Fields" `content`. */
export const DataFileContent = { DATA: 0, POSITION_DELETES: 1, EQUALITY_DELETES: 2 } as const;
export type DataFileContent = (typeof DataFileContent)[keyof typeof DataFileContent];

/** Spec "Manifest Entry Fields" `status`. */
export const EntryStatus = { EXISTING: 0, ADDED: 1, DELETED: 2 } as const;
export type EntryStatus = (typeof EntryStatus)[keyof typeof EntryStatus];

/**
 * One data or delete file as a manifest's `data_file` struct records it. 64-bit quantities are
 * `bigint`; metric maps are keyed by column field id; bounds are single-value serialized bytes
 * (`single-value.ts`).
 */
export interface DataFile {
  readonly content: DataFileContent;
  readonly filePath: string;
  /** `parquet`, `avro`, `orc` or `puffin`, as written (Java writes upper case). */
  readonly fileFormat: string;
  readonly partition: PartitionValues;
  readonly recordCount: bigint;
  readonly fileSizeInBytes: bigint;
  readonly columnSizes?: ReadonlyMap<number, bigint>;
  readonly valueCounts?: ReadonlyMap<number, bigint>;
  readonly nullValueCounts?: ReadonlyMap<number, bigint>;
  readonly nanValueCounts?: ReadonlyMap<number, bigint>;
  readonly lowerBounds?: ReadonlyMap<number, Uint8Array>;
  readonly upperBounds?: ReadonlyMap<number, Uint8Array>;
  readonly keyMetadata?: Uint8Array;
  readonly splitOffsets?: readonly bigint[];
  readonly equalityIds?: readonly number[];
  readonly sortOrderId?: number;
  /** v3: first `_row_id` of the file. */
  readonly firstRowId?: bigint;
  /** The one data file all deletes of this delete file apply to. */
  readonly referencedDataFile?: string;
  /** v3 deletion vectors: where the blob starts in the Puffin file, and its length. */
  readonly contentOffset?: bigint;
  readonly contentSizeInBytes?: bigint;
}

/**
 * A manifest entry. Read from a file, `snapshotId` and the sequence numbers are the inherited values
 * where the file had null (spec "Sequence Number Inheritance"); they can stay `null` only for a
 * file that is not live and was written without them. To write a new file, leave them `null`.
 */
export interface ManifestEntry {
  readonly status: EntryStatus;
  readonly snapshotId: bigint | null;
  /** Data sequence number. */
  readonly sequenceNumber: bigint | null;
  readonly fileSequenceNumber: bigint | null;
  readonly dataFile: DataFile;
}
