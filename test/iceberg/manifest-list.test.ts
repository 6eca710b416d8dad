import { describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import { readAvroFile } from "../../src/iceberg/avro/container.ts";
import { type ManifestFile, readManifestList, writeManifestList } from "../../src/iceberg/manifest-list.ts";
import { avscFile } from "../fixtures/avro/avsc-file.ts";

const BIG = 7263591925164385283n;

const manifest = (over: Partial<ManifestFile> = {}): ManifestFile => ({
  manifestPath: "s3://bucket/t/metadata/m0.avro",
  manifestLength: 6789n,
  partitionSpecId: 1,
  content: 0,
  sequenceNumber: 3n,
  minSequenceNumber: 2n,
  addedSnapshotId: BIG,
  addedFilesCount: 2,
  existingFilesCount: 1,
  deletedFilesCount: 0,
  addedRowsCount: 9007199254740993n,
  existingRowsCount: 10n,
  deletedRowsCount: 0n,
  partitions: [
    {
      containsNull: false,
      containsNan: false,
      lowerBound: Uint8Array.of(1, 0, 0, 0),
      upperBound: Uint8Array.of(9, 0, 0, 0),
    },
    { containsNull: true },
  ],
  ...over,
});

describe("manifest list v2", () => {
  it("round-trips manifests, 64-bit values exact", () => {
    const m = [
      manifest(),
      manifest({ manifestPath: "s3://bucket/t/metadata/m1.avro", content: 1, keyMetadata: Uint8Array.of(7) }),
    ];
    const bytes = writeManifestList({
      snapshotId: BIG,
      parentSnapshotId: BIG - 1n,
      sequenceNumber: 3n,
      manifests: m,
    });
    const list = readManifestList(bytes, "s3://bucket/t/metadata/snap.avro");
    expect(list.formatVersion).toBe(2);
    expect(list.manifests).toEqual(m);
    expect(list.manifests[0]?.addedSnapshotId).toBe(7263591925164385283n);
    expect(Object.fromEntries(list.metadata)).toMatchObject({
      "snapshot-id": "7263591925164385283",
      "parent-snapshot-id": "7263591925164385282",
      "sequence-number": "3",
      "format-version": "2",
      "avro.codec": "deflate",
    });
  });

  it("writes Java's field names and ids", () => {
    const bytes = writeManifestList({
      snapshotId: BIG,
      parentSnapshotId: null,
      sequenceNumber: 1n,
      manifests: [],
    });
    const file = readAvroFile(bytes, "x");
    const fields = (file.schema as { fields: { name: string; "field-id": number }[] }).fields;
    expect(fields.map((f) => `${f["field-id"]}:${f.name}`)).toEqual([
      "500:manifest_path",
      "501:manifest_length",
      "502:partition_spec_id",
      "517:content",
      "515:sequence_number",
      "516:min_sequence_number",
      "503:added_snapshot_id",
      "504:added_files_count",
      "505:existing_files_count",
      "506:deleted_files_count",
      "512:added_rows_count",
      "513:existing_rows_count",
      "514:deleted_rows_count",
      "507:partitions",
      "519:key_metadata",
    ]);
    expect(file.metadata.get("parent-snapshot-id")).toBe("null");
  });

  it("gives unassigned sequence numbers the snapshot's, and refuses them on others' manifests", () => {
    const fresh = manifest({ sequenceNumber: null, minSequenceNumber: null });
    const bytes = writeManifestList({
      snapshotId: BIG,
      parentSnapshotId: null,
      sequenceNumber: 8n,
      manifests: [fresh],
    });
    const [m] = readManifestList(bytes, "l").manifests;
    expect([m?.sequenceNumber, m?.minSequenceNumber]).toEqual([8n, 8n]);
    expect(() =>
      writeManifestList({ snapshotId: 1n, parentSnapshotId: null, sequenceNumber: 8n, manifests: [fresh] }),
    ).toThrow(/no sequence number/);
  });
});

describe("manifest lists written by others", () => {
  // Older names (added_data_files_count, …), another field order, no key_metadata, an extra
  // field floe does not know, and deflate framing by avsc rather than floe.
  const legacyV2 = {
    type: "record",
    name: "manifest_file",
    fields: [
      { name: "added_snapshot_id", type: "long", "field-id": 503 },
      { name: "manifest_path", type: "string", "field-id": 500 },
      { name: "partition_spec_id", type: "int", "field-id": 502 },
      { name: "manifest_length", type: "long", "field-id": 501 },
      { name: "content", type: "int", "field-id": 517 },
      { name: "sequence_number", type: "long", "field-id": 515 },
      { name: "min_sequence_number", type: "long", "field-id": 516 },
      { name: "added_data_files_count", type: "int", "field-id": 504 },
      { name: "existing_data_files_count", type: "int", "field-id": 505 },
      { name: "deleted_data_files_count", type: "int", "field-id": 506 },
      { name: "added_rows_count", type: "long", "field-id": 512 },
      { name: "existing_rows_count", type: "long", "field-id": 513 },
      { name: "deleted_rows_count", type: "long", "field-id": 514 },
      { name: "some_future_field", type: ["null", "string"], default: null, "field-id": 599 },
      {
        name: "partitions",
        type: [
          "null",
          {
            type: "array",
            "element-id": 508,
            items: {
              type: "record",
              name: "field_summary",
              fields: [
                { name: "upper_bound", type: ["null", "bytes"], default: null, "field-id": 511 },
                { name: "contains_null", type: "boolean", "field-id": 509 },
                { name: "lower_bound", type: ["null", "bytes"], default: null, "field-id": 510 },
              ],
            },
          },
        ],
        default: null,
        "field-id": 507,
      },
    ],
  };

  it("resolves older names and other orders by field id", async () => {
    const bytes = await avscFile(
      legacyV2,
      [
        {
          added_snapshot_id: BIG,
          manifest_path: "s3://b/m.avro",
          partition_spec_id: 0,
          manifest_length: 100n,
          content: 1,
          sequence_number: 5n,
          min_sequence_number: 4n,
          added_data_files_count: 3,
          existing_data_files_count: 2,
          deleted_data_files_count: 1,
          added_rows_count: 30n,
          existing_rows_count: 20n,
          deleted_rows_count: 10n,
          some_future_field: "x",
          partitions: [{ upper_bound: Buffer.from([2]), contains_null: true, lower_bound: null }],
        },
      ],
      { "format-version": "2", "snapshot-id": String(BIG) },
    );
    const [m] = readManifestList(bytes, "s3://b/snap-1.avro").manifests;
    expect(m).toEqual({
      manifestPath: "s3://b/m.avro",
      manifestLength: 100n,
      partitionSpecId: 0,
      content: 1,
      sequenceNumber: 5n,
      minSequenceNumber: 4n,
      addedSnapshotId: BIG,
      addedFilesCount: 3,
      existingFilesCount: 2,
      deletedFilesCount: 1,
      addedRowsCount: 30n,
      existingRowsCount: 20n,
      deletedRowsCount: 10n,
      partitions: [{ containsNull: true, upperBound: Uint8Array.of(2) }],
    });
  });

  it("reads a v1 manifest list with the spec's defaults", async () => {
    // Java's V1Metadata.MANIFEST_LIST_SCHEMA: no content or sequence numbers, optional counts.
    const v1 = {
      type: "record",
      name: "manifest_file",
      fields: [
        { name: "manifest_path", type: "string", "field-id": 500 },
        { name: "manifest_length", type: "long", "field-id": 501 },
        { name: "partition_spec_id", type: "int", "field-id": 502 },
        { name: "added_snapshot_id", type: ["null", "long"], default: null, "field-id": 503 },
        { name: "added_data_files_count", type: ["null", "int"], default: null, "field-id": 504 },
        { name: "existing_data_files_count", type: ["null", "int"], default: null, "field-id": 505 },
        { name: "deleted_data_files_count", type: ["null", "int"], default: null, "field-id": 506 },
      ],
    };
    const bytes = await avscFile(
      v1,
      [
        {
          manifest_path: "m.avro",
          manifest_length: 10n,
          partition_spec_id: 0,
          added_snapshot_id: BIG,
          added_data_files_count: 1,
          existing_data_files_count: null,
          deleted_data_files_count: 0,
        },
      ],
      {},
      "null",
    );
    const list = readManifestList(bytes, "v1.avro");
    expect(list.formatVersion).toBe(1);
    expect(list.manifests).toEqual([
      {
        manifestPath: "m.avro",
        manifestLength: 10n,
        partitionSpecId: 0,
        content: 0,
        sequenceNumber: 0n,
        minSequenceNumber: 0n,
        addedSnapshotId: BIG,
        addedFilesCount: 1,
        deletedFilesCount: 0,
      },
    ]);
  });
});

describe("bad manifest lists", () => {
  const good = writeManifestList({
    snapshotId: BIG,
    parentSnapshotId: null,
    sequenceNumber: 3n,
    manifests: [manifest(), manifest()],
    codec: "null",
  });

  const expectBadRequest = (bytes: Uint8Array, message: RegExp): void => {
    let error: unknown;
    try {
      readManifestList(bytes, "s3://b/snap.avro");
    } catch (e) {
      error = e;
    }
    expect(isFloeError(error, "BAD_REQUEST"), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/manifest list s3:\/\/b\/snap\.avro/);
    expect((error as Error).message).toMatch(message);
  };

  it("rejects a file that is not Avro", () => {
    expectBadRequest(new TextEncoder().encode('{"not": "avro"}'), /wrong magic/);
    expectBadRequest(new Uint8Array(0), /wrong magic/);
  });

  it("rejects truncated files at every length", () => {
    for (let n = 4; n < good.length; n += 7) expectBadRequest(good.subarray(0, n), /truncated|corrupt/);
  });

  it("rejects corrupt bytes without crashing", () => {
    for (let i = good.length - 300; i < good.length; i += 3) {
      const bad = Uint8Array.from(good);
      bad[i] = (bad[i] as number) ^ 0xff;
      try {
        readManifestList(bad, "s3://b/snap.avro");
      } catch (e) {
        expect(isFloeError(e, "BAD_REQUEST"), String(e)).toBe(true);
      }
    }
  });

  it("rejects a file whose fields carry no known ids", async () => {
    const bytes = await avscFile(
      { type: "record", name: "x", fields: [{ name: "manifest_path", type: "string", "field-id": 1 }] },
      [{ manifest_path: "a" }],
      {},
    );
    expectBadRequest(bytes, /no field with id 500 \(manifest_path\); the file's fields have ids 1/);
  });

  it("rejects a field of the wrong type", async () => {
    const bytes = await avscFile(
      {
        type: "record",
        name: "x",
        fields: [
          { name: "manifest_path", type: "long", "field-id": 500 },
          { name: "manifest_length", type: "long", "field-id": 501 },
        ],
      },
      [{ manifest_path: 1n, manifest_length: 1n }],
      {},
    );
    expectBadRequest(bytes, /field 500 \(manifest_path\) is not string/);
  });
});
