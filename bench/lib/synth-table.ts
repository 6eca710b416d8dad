import { randomUUID } from "node:crypto";
import { applyUpdates } from "../../src/iceberg/apply-updates.ts";
import { newTableMetadata } from "../../src/iceberg/create-table.ts";
import {
  type DataFile,
  DataFileContent,
  EntryStatus,
  type ManifestEntry,
} from "../../src/iceberg/data-file.ts";
import { writeManifest } from "../../src/iceberg/manifest.ts";
import { type ManifestFile, ManifestContent, writeManifestList } from "../../src/iceberg/manifest-list.ts";
import type { PartitionSpec } from "../../src/iceberg/partition-spec.ts";
import { type TableFile, writeNextMetadataFile } from "../../src/iceberg/producers/metadata-file.ts";
import { type Schema, schemaFromJson } from "../../src/iceberg/schema.ts";
import { toSingleValue } from "../../src/iceberg/single-value.ts";
import type { ObjectStore } from "../../src/storage/object-store.ts";

/** The benchmark tables' columns: an event table. */
export const EVENTS_SCHEMA = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: false, type: "long" },
    { id: 2, name: "ts", required: false, type: "timestamptz" },
    { id: 3, name: "category", required: false, type: "string" },
    { id: 4, name: "amount", required: false, type: "double" },
  ],
});

/** Partitioned by `day(ts)` (field `ts_day`). */
export const DAY_SPEC = { fields: [{ sourceId: 2, name: "ts_day", transform: { kind: "day" as const } }] };

export const DAY_US = 86_400_000_000n;
/** Day 0 of the synthesized tables: 2026-01-01. */
export const FIRST_DAY = 20_454;
/** Rows (ids) per synthesized data file. */
export const ROWS_PER_FILE = 1000n;

/**
 * Data file `j` of manifest `i` of a synthesized table: day `FIRST_DAY + j % days`, ids
 * `(i × filesPerManifest + j) × ROWS_PER_FILE` onwards (so ids grow with the manifest), full
 * metrics on all four columns as a Parquet writer records them.
 */
export function synthFile(
  location: string,
  i: number,
  j: number,
  filesPerManifest: number,
  days: number,
): DataFile {
  const day = FIRST_DAY + (j % days);
  const firstId = BigInt(i * filesPerManifest + j) * ROWS_PER_FILE;
  const dayStart = BigInt(day) * DAY_US;
  const long = (v: bigint) => toSingleValue({ type: "long" }, v);
  const ts = (v: bigint) => toSingleValue({ type: "timestamptz" }, v);
  const str = (v: string) => toSingleValue({ type: "string" }, v);
  const dbl = (v: number) => toSingleValue({ type: "double" }, v);
  const counts = new Map([1, 2, 3, 4].map((id) => [id, ROWS_PER_FILE]));
  return {
    content: DataFileContent.DATA,
    filePath: `${location}/data/ts_day=${new Date(day * 86_400_000).toISOString().slice(0, 10)}/${i}-${j}-${randomUUID()}.parquet`,
    fileFormat: "PARQUET",
    partition: [day],
    recordCount: ROWS_PER_FILE,
    fileSizeInBytes: 40_000n + BigInt(j),
    columnSizes: new Map([
      [1, 8_000n],
      [2, 8_000n],
      [3, 3_000n],
      [4, 8_000n],
    ]),
    valueCounts: counts,
    nullValueCounts: new Map([1, 2, 3, 4].map((id) => [id, 0n])),
    nanValueCounts: new Map([[4, 0n]]),
    lowerBounds: new Map([
      [1, long(firstId)],
      [2, ts(dayStart + BigInt(i))],
      [3, str("cat_00")],
      [4, dbl(0.01)],
    ]),
    upperBounds: new Map([
      [1, long(firstId + ROWS_PER_FILE - 1n)],
      [2, ts(dayStart + DAY_US - 1n - BigInt(i))],
      [3, str("cat_49")],
      [4, dbl(9999.99)],
    ]),
    splitOffsets: [4n],
  };
}

export function addedEntries(files: readonly DataFile[], snapshotId: bigint): ManifestEntry[] {
  return files.map((dataFile) => ({
    status: EntryStatus.ADDED,
    snapshotId,
    sequenceNumber: null,
    fileSequenceNumber: null,
    dataFile,
  }));
}

export interface SynthTable {
  readonly table: TableFile;
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  readonly manifestBytes: number;
}

/**
 * A table of `manifests` manifests of `filesPerManifest` data files each, all in one snapshot, the
 * manifests written with floe's `writeManifest` and listed by `writeManifestList`. No data file
 * exists: planning only reads metadata. Every manifest holds files of all `days` days, so the
 * manifest list's partition summaries rule none out: a scan reads every manifest.
 */
export async function synthTable(
  store: ObjectStore,
  location: string,
  manifests: number,
  filesPerManifest: number,
  days: number,
): Promise<SynthTable> {
  const created = await writeNextMetadataFile(
    store,
    undefined,
    newTableMetadata({ schema: EVENTS_SCHEMA, spec: DAY_SPEC, location }),
  );
  const m = created.metadata;
  const schema = m.schemas[0]!;
  const spec = m.partitionSpecs[0]!;
  const snapshotId = 1n;
  const listed: ManifestFile[] = [];
  let manifestBytes = 0;
  for (let i = 0; i < manifests; i++) {
    const files = Array.from({ length: filesPerManifest }, (_, j) =>
      synthFile(location, i, j, filesPerManifest, days),
    );
    const written = writeManifest({
      location: `${location}/metadata/${randomUUID()}-m${i}.avro`,
      content: ManifestContent.DATA,
      snapshotId,
      schema,
      spec,
      entries: addedEntries(files, snapshotId),
    });
    await store.put(written.manifest.manifestPath, written.bytes);
    manifestBytes += written.bytes.length;
    listed.push(written.manifest);
  }
  const manifestList = `${location}/metadata/snap-${snapshotId}-1-${randomUUID()}.avro`;
  await store.put(
    manifestList,
    writeManifestList({ snapshotId, parentSnapshotId: null, sequenceNumber: 1n, manifests: listed }),
  );
  const total = BigInt(manifests * filesPerManifest);
  const nowMs = Date.now();
  const next = applyUpdates(
    m,
    [
      {
        action: "add-snapshot",
        snapshot: {
          snapshotId,
          sequenceNumber: 1,
          timestampMs: nowMs,
          manifestList,
          summary: {
            operation: "append",
            "added-data-files": String(total),
            "added-records": String(total * ROWS_PER_FILE),
          },
          schemaId: schema.schemaId,
        },
      },
      { action: "set-snapshot-ref", refName: "main", ref: { snapshotId, type: "branch" } },
    ],
    { nowMs },
  );
  return { table: await writeNextMetadataFile(store, created, next), schema, spec, manifestBytes };
}
