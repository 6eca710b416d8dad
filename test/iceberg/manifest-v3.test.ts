import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readAvroFile, type AvroSchema } from "../../src/iceberg/avro/container.ts";
import { readManifest, writeManifest } from "../../src/iceberg/manifest.ts";
import { readManifestList, writeManifestList } from "../../src/iceberg/manifest-list.ts";
import { avscFile } from "../fixtures/avro/avsc-file.ts";
import { specFixture } from "../support/spec-fixtures.ts";

// The Avro schemas of shared/specs/fixtures/avro (derived from Java's V2Metadata / V3Metadata).
const FIXTURES = new URL(`file://${specFixture("avro/")}`);
const avsc = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")) as Record<string, unknown>;
const SNAP = 7263591925164385283n;

type Rec = { name: string; type: unknown; fields: Rec[] };
/** The manifest entry schema with the `r102` partition record given fields. */
function withPartition(schema: Record<string, unknown>, fields: unknown[]): AvroSchema {
  const copy = structuredClone(schema) as unknown as Rec;
  const dataFile = copy.fields.find((f) => f.name === "data_file")?.type as Rec;
  const partition = dataFile.fields.find((f) => f.name === "partition") as Rec & { doc: string };
  (partition.type as Rec).fields = fields as Rec[];
  // Java's DataFile.PARTITION_DOC; the fixture adds a remark of its own.
  partition.doc = "Partition data tuple, schema based on the partition spec";
  return copy as unknown as AvroSchema;
}

const dataFile = (n: number, firstRowId: bigint | null) => ({
  content: 0,
  file_path: `s3://b/f${n}.parquet`,
  file_format: "PARQUET",
  partition: { region: `r${n}` },
  record_count: 10n * BigInt(n),
  file_size_in_bytes: 100n,
  column_sizes: null,
  value_counts: null,
  null_value_counts: null,
  nan_value_counts: null,
  lower_bounds: null,
  upper_bounds: null,
  key_metadata: null,
  split_offsets: null,
  equality_ids: null,
  sort_order_id: null,
  first_row_id: firstRowId,
  referenced_data_file: null,
  content_offset: null as bigint | null,
  content_size_in_bytes: null as bigint | null,
});

describe("the shared Avro schemas", () => {
  it("are what floe writes for v2 manifest lists", () => {
    const bytes = writeManifestList({
      snapshotId: 1n,
      parentSnapshotId: null,
      sequenceNumber: 1n,
      manifests: [],
    });
    expect(readAvroFile(bytes, "l").schema).toEqual(avsc("manifest-list-v2.avsc"));
  });

  it("are what floe writes for v2 manifests, the partition record filled from the spec", () => {
    const { bytes } = writeManifest({
      location: "m",
      content: 0,
      snapshotId: 1n,
      schema: {
        schemaId: 0,
        identifierFieldIds: [],
        fields: [{ id: 1, name: "x", required: false, type: { type: "int" } }],
      },
      spec: {
        specId: 0,
        fields: [{ sourceId: 1, fieldId: 1000, name: "x", transform: { kind: "identity" } }],
      },
      entries: [],
    });
    expect(readAvroFile(bytes, "m").schema).toEqual(
      withPartition(avsc("manifest-entry-v2.avsc"), [
        { name: "x", type: ["null", "int"], default: null, "field-id": 1000 },
      ]),
    );
  });
});

describe("format v3 (read, additive)", () => {
  it("reads first_row_id from a v3 manifest list", async () => {
    const bytes = await avscFile(
      avsc("manifest-list-v3.avsc"),
      [
        {
          manifest_path: "m.avro",
          manifest_length: 10n,
          partition_spec_id: 0,
          content: 0,
          sequence_number: 4n,
          min_sequence_number: 4n,
          added_snapshot_id: SNAP,
          added_files_count: 2,
          existing_files_count: 0,
          deleted_files_count: 0,
          added_rows_count: 30n,
          existing_rows_count: 0n,
          deleted_rows_count: 0n,
          partitions: null,
          key_metadata: null,
          first_row_id: 2n ** 60n,
        },
      ],
      { "format-version": "3", "first-row-id": "0" },
    );
    const list = readManifestList(bytes, "l");
    expect(list.formatVersion).toBe(3);
    expect(list.manifests[0]?.firstRowId).toBe(2n ** 60n);
  });

  it("reads v3 data files and assigns first row ids by inheritance", async () => {
    const schema = withPartition(avsc("manifest-entry-v3.avsc"), [
      { name: "region", type: ["null", "string"], default: null, "field-id": 1000 },
    ]);
    const entry = (status: number, f: ReturnType<typeof dataFile>) => ({
      status,
      snapshot_id: null,
      sequence_number: status === 1 ? null : 1n,
      file_sequence_number: status === 1 ? null : 1n,
      data_file: f,
    });
    const bytes = await avscFile(
      schema,
      [
        entry(1, dataFile(1, null)),
        entry(2, dataFile(2, null)), // deleted: takes no row ids
        entry(0, dataFile(3, 7n)), // explicit
        entry(1, { ...dataFile(4, null), content_offset: 4n, content_size_in_bytes: 40n }),
      ],
      { "format-version": "3", content: "data" },
    );
    const manifest = {
      manifestPath: "m",
      manifestLength: 1n,
      partitionSpecId: 0,
      content: 0,
      sequenceNumber: 9n,
      minSequenceNumber: 1n,
      addedSnapshotId: SNAP,
      firstRowId: 1000n,
    } as const;
    const m = readManifest(bytes, "m", { manifest });
    expect(m.formatVersion).toBe(3);
    expect(m.entries.map((e) => [e.status, e.sequenceNumber, e.dataFile.firstRowId])).toEqual([
      [1, 9n, 1000n],
      [2, 1n, undefined],
      [0, 1n, 7n],
      [1, 9n, 1010n],
    ]);
    expect(m.entries[3]?.dataFile).toMatchObject({
      contentOffset: 4n,
      contentSizeInBytes: 40n,
      partition: ["r4"],
    });
    // Without the manifest list's first row id nothing is assigned.
    expect(readManifest(bytes, "m").entries[0]?.dataFile.firstRowId).toBeUndefined();
  });
});
