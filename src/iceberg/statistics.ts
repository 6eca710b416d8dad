import {
  asObject,
  intList,
  type JsonObject,
  optStringMap,
  optString,
  reqArray,
  reqLong,
  reqSafeLong,
  reqString,
} from "./json-fields.ts";

/**
 * Table statistics (spec "Table Statistics"): Puffin files of column statistics per snapshot, and
 * partition statistics files. Metadata keeps them and they are set or removed by updates.
 */
export interface BlobMetadata {
  readonly type: string;
  readonly snapshotId: bigint;
  readonly sequenceNumber: number;
  readonly fields: readonly number[];
  readonly properties?: Readonly<Record<string, string>>;
}

export interface StatisticsFile {
  readonly snapshotId: bigint;
  readonly statisticsPath: string;
  readonly fileSizeInBytes: number;
  readonly fileFooterSizeInBytes: number;
  readonly keyMetadata?: string;
  readonly blobMetadata: readonly BlobMetadata[];
}

export interface PartitionStatisticsFile {
  readonly snapshotId: bigint;
  readonly statisticsPath: string;
  readonly fileSizeInBytes: number;
}

function blobFromJson(json: unknown): BlobMetadata {
  const what = "blob metadata";
  const o = asObject(json, what);
  const out: { -readonly [K in keyof BlobMetadata]: BlobMetadata[K] } = {
    type: reqString(o, "type", what),
    snapshotId: reqLong(o, "snapshot-id", what),
    sequenceNumber: reqSafeLong(o, "sequence-number", what),
    fields: intList(o, "fields", what),
  };
  const properties = optStringMap(o, "properties", what);
  if (properties !== undefined) out.properties = properties;
  return out;
}

export function statisticsFileFromJson(json: unknown): StatisticsFile {
  const what = "statistics file";
  const o = asObject(json, what);
  const out: { -readonly [K in keyof StatisticsFile]: StatisticsFile[K] } = {
    snapshotId: reqLong(o, "snapshot-id", what),
    statisticsPath: reqString(o, "statistics-path", what),
    fileSizeInBytes: reqSafeLong(o, "file-size-in-bytes", what),
    fileFooterSizeInBytes: reqSafeLong(o, "file-footer-size-in-bytes", what),
    blobMetadata: reqArray(o, "blob-metadata", what).map(blobFromJson),
  };
  const keyMetadata = optString(o, "key-metadata", what);
  if (keyMetadata !== undefined) out.keyMetadata = keyMetadata;
  return out;
}

export function statisticsFileToJson(s: StatisticsFile): JsonObject {
  const out: JsonObject = {
    "snapshot-id": s.snapshotId,
    "statistics-path": s.statisticsPath,
    "file-size-in-bytes": s.fileSizeInBytes,
    "file-footer-size-in-bytes": s.fileFooterSizeInBytes,
  };
  if (s.keyMetadata !== undefined) out["key-metadata"] = s.keyMetadata;
  out["blob-metadata"] = s.blobMetadata.map((b) => {
    const blob: JsonObject = {
      type: b.type,
      "snapshot-id": b.snapshotId,
      "sequence-number": b.sequenceNumber,
      fields: [...b.fields],
    };
    if (b.properties !== undefined) blob.properties = { ...b.properties };
    return blob;
  });
  return out;
}

export function partitionStatisticsFileFromJson(json: unknown): PartitionStatisticsFile {
  const what = "partition statistics file";
  const o = asObject(json, what);
  return {
    snapshotId: reqLong(o, "snapshot-id", what),
    statisticsPath: reqString(o, "statistics-path", what),
    fileSizeInBytes: reqSafeLong(o, "file-size-in-bytes", what),
  };
}

export const partitionStatisticsFileToJson = (s: PartitionStatisticsFile): JsonObject => ({
  "snapshot-id": s.snapshotId,
  "statistics-path": s.statisticsPath,
  "file-size-in-bytes": s.fileSizeInBytes,
});
