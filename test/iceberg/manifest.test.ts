import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import { readAvroFile } from "../../src/iceberg/avro/container.ts";
import type { DataFile, ManifestEntry, PartitionType } from "../../src/iceberg/data-file.ts";
import { partitionType as partitionTypeOf, type PartitionSpec } from "../../src/iceberg/partition-spec.ts";
import { schemaToJson, type Schema } from "../../src/iceberg/schema.ts";
import { readManifest, writeManifest, type ManifestWriteOptions } from "../../src/iceberg/manifest.ts";
import { readManifestList, writeManifestList } from "../../src/iceberg/manifest-list.ts";
import { toSingleValue } from "../../src/iceberg/single-value.ts";
import { avscFile } from "../fixtures/avro/avsc-file.ts";

const SNAP = 7263591925164385283n;

const schema: Schema = {
  schemaId: 2,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: "ts", required: true, type: { type: "timestamptz" } },
    { id: 2, name: "region", required: false, type: { type: "string" } },
    { id: 3, name: "amount", required: false, type: { type: "decimal", precision: 9, scale: 2 } },
    { id: 4, name: "id", required: false, type: { type: "uuid" } },
    { id: 5, name: "score", required: false, type: { type: "double" } },
  ],
};

const spec: PartitionSpec = {
  specId: 3,
  fields: [
    { sourceId: 1, fieldId: 1000, name: "day", transform: { kind: "day" } },
    { sourceId: 2, fieldId: 1001, name: "region", transform: { kind: "identity" } },
    { sourceId: 3, fieldId: 1002, name: "amount-bucket", transform: { kind: "truncate", width: 100 } },
    { sourceId: 4, fieldId: 1003, name: "id", transform: { kind: "identity" } },
    { sourceId: 1, fieldId: 1004, name: "ts", transform: { kind: "identity" } },
    { sourceId: 5, fieldId: 1005, name: "score", transform: { kind: "identity" } },
  ],
};

const partitionType = partitionTypeOf(spec, schema);

const dataFile = (n: number, over: Partial<DataFile> = {}): DataFile => ({
  content: 0,
  filePath: `s3://b/t/data/f${n}.parquet`,
  fileFormat: "PARQUET",
  partition: [
    19000 + n,
    `r${n}`,
    1420n * BigInt(n),
    "f79c3e09-677c-4bbd-a479-3f349cb785e7",
    1_700_000_000_000_000n,
    n,
  ],
  recordCount: 100n + BigInt(n),
  fileSizeInBytes: 9007199254740993n,
  columnSizes: new Map([
    [1, 10n],
    [2, 20n],
  ]),
  valueCounts: new Map([[1, 100n]]),
  nullValueCounts: new Map([[1, 0n]]),
  nanValueCounts: new Map([[3, 1n]]),
  lowerBounds: new Map([[1, toSingleValue({ type: "long" }, -5n)]]),
  upperBounds: new Map([[1, toSingleValue({ type: "long" }, SNAP)]]),
  splitOffsets: [4n, 9007199254740993n],
  sortOrderId: 0,
  ...over,
});

const added = (f: DataFile, seq: bigint | null = null): ManifestEntry => ({
  status: 1,
  snapshotId: null,
  sequenceNumber: seq,
  fileSequenceNumber: null,
  dataFile: f,
});

const options = (
  entries: ManifestEntry[],
  over: Partial<ManifestWriteOptions> = {},
): ManifestWriteOptions => ({
  location: "s3://b/t/metadata/m1.avro",
  content: 0,
  snapshotId: SNAP,
  schema,
  spec,
  entries,
  ...over,
});

describe("manifest v2", () => {
  it("round-trips entries with Java's file metadata", () => {
    const existing: ManifestEntry = {
      status: 0,
      snapshotId: 5n,
      sequenceNumber: 2n,
      fileSequenceNumber: 2n,
      dataFile: dataFile(2, { keyMetadata: Uint8Array.of(1, 2) }),
    };
    const deleted: ManifestEntry = { ...existing, status: 2, snapshotId: SNAP, dataFile: dataFile(3) };
    const entries = [added(dataFile(1)), existing, deleted];
    const { bytes, manifest } = writeManifest(options(entries));
    const read = readManifest(bytes, "s3://b/t/metadata/m1.avro");
    expect(read.formatVersion).toBe(2);
    expect(read.content).toBe(0);
    expect(read.specId).toBe(3);
    expect(read.schemaId).toBe(2);
    expect(Object.fromEntries(read.metadata)).toMatchObject({
      "partition-spec":
        '[{"name":"day","transform":"day","source-id":1,"field-id":1000},{"name":"region","transform":"identity","source-id":2,"field-id":1001},{"name":"amount-bucket","transform":"truncate[100]","source-id":3,"field-id":1002},{"name":"id","transform":"identity","source-id":4,"field-id":1003},{"name":"ts","transform":"identity","source-id":1,"field-id":1004},{"name":"score","transform":"identity","source-id":5,"field-id":1005}]',
      "schema-id": "2",
      "partition-spec-id": "3",
      "format-version": "2",
      content: "data",
    });
    // Without a manifest list entry nothing is inherited; the writer's snapshot id is written.
    expect(read.entries).toEqual([{ ...added(dataFile(1)), snapshotId: SNAP }, existing, deleted]);
    expect(JSON.parse(read.metadata.get("schema") ?? "")).toEqual(schemaToJson(schema));
    expect(read.partitionType.fields.map((f) => [f.id, f.name, f.type])).toEqual(
      partitionType.fields.map((f) => [
        f.id,
        f.name === "amount-bucket" ? "amount_x2Dbucket" : f.name,
        f.type,
      ]),
    );

    expect(manifest).toMatchObject({
      manifestPath: "s3://b/t/metadata/m1.avro",
      manifestLength: BigInt(bytes.length),
      partitionSpecId: 3,
      sequenceNumber: null,
      minSequenceNumber: 2n,
      addedSnapshotId: SNAP,
      addedFilesCount: 1,
      existingFilesCount: 1,
      deletedFilesCount: 1,
      addedRowsCount: 101n,
      existingRowsCount: 102n,
      deletedRowsCount: 103n,
    });
  });

  it("writes the data_file struct with Java's names and ids, partition fields by partition field id", () => {
    const { bytes } = writeManifest(options([added(dataFile(1))]));
    const schema = readAvroFile(bytes, "m").schema as {
      fields: {
        name: string;
        "field-id": number;
        type: { fields: { name: string; "field-id": number; type: unknown }[] };
      }[];
    };
    expect(schema.fields.map((f) => `${f["field-id"]}:${f.name}`)).toEqual([
      "0:status",
      "1:snapshot_id",
      "3:sequence_number",
      "4:file_sequence_number",
      "2:data_file",
    ]);
    const df = schema.fields[4]?.type;
    expect(df?.fields.map((f) => f["field-id"])).toEqual([
      134, 100, 101, 102, 103, 104, 108, 109, 110, 137, 125, 128, 131, 132, 135, 140, 143,
    ]);
    const partition = df?.fields[3]?.type as {
      name: string;
      fields: { "field-id": number; type: unknown }[];
    };
    expect(partition.name).toBe("r102");
    expect(partition.fields.map((f) => f["field-id"])).toEqual([1000, 1001, 1002, 1003, 1004, 1005]);
    expect(partition.fields[2]?.type).toEqual([
      "null",
      { type: "fixed", name: "decimal_9_2", size: 4, logicalType: "decimal", precision: 9, scale: 2 },
    ]);
  });

  it("writes a delete manifest of equality deletes", () => {
    const eq = dataFile(1, { content: 2, equalityIds: [1, 2], sortOrderId: undefined });
    const { bytes, manifest } = writeManifest(options([added(eq)], { content: 1 }));
    const read = readManifest(bytes, "d.avro");
    expect(read.content).toBe(1);
    expect(read.metadata.get("content")).toBe("deletes");
    expect(read.entries[0]?.dataFile).toEqual(eq);
    expect(manifest.content).toBe(1);
    expect(() => writeManifest(options([added(eq)]))).toThrow(/does not belong in a data manifest/);
  });

  it("refuses existing entries without sequence numbers", () => {
    const e: ManifestEntry = { ...added(dataFile(1)), status: 0 };
    expect(() => writeManifest(options([e]))).toThrow(/must carry both sequence numbers/);
  });

  it("summarizes partitions for the manifest list", () => {
    const nulls = dataFile(9, { partition: [null, null, null, null, null, Number.NaN] });
    const { manifest } = writeManifest(options([added(dataFile(1)), added(dataFile(5)), added(nulls)]));
    const [day, region, amount, , , score] = manifest.partitions ?? [];
    expect(day).toEqual({
      containsNull: true,
      containsNan: false,
      lowerBound: toSingleValue({ type: "date" }, 19001),
      upperBound: toSingleValue({ type: "date" }, 19005),
    });
    expect(region?.lowerBound && Buffer.from(region.lowerBound).toString()).toBe("r1");
    expect(amount?.upperBound && Buffer.from(amount.upperBound).toString("hex")).toBe("1bbc"); // 7100
    expect(score).toMatchObject({ containsNull: false, containsNan: true });
    expect(score?.lowerBound).toEqual(toSingleValue({ type: "double" }, 1));
  });
});

describe("reading with keep", () => {
  it("decodes only the entries keep accepts by status and partition, the same as a full read", () => {
    const deleted: ManifestEntry = {
      status: 2,
      snapshotId: 11n,
      sequenceNumber: 4n,
      fileSequenceNumber: 4n,
      dataFile: dataFile(4),
    };
    const entries = [added(dataFile(1)), added(dataFile(2)), deleted, added(dataFile(3), 6n)];
    const { bytes, manifest } = writeManifest(options(entries));
    const entry = { ...manifest, sequenceNumber: 9n };
    const asked: unknown[] = [];
    const read = readManifest(bytes, manifest.manifestPath, {
      manifest: entry,
      keep: (specId, type) => {
        asked.push([specId, type.fields.map((f) => f.id)]);
        return (status, partition) => status !== 2 && partition[1] !== "r2";
      },
    });
    expect(asked).toEqual([[3, [1000, 1001, 1002, 1003, 1004, 1005]]]);
    const full = readManifest(bytes, manifest.manifestPath, { manifest: entry });
    expect(read.entries).toEqual([full.entries[0], full.entries[3]]);
    expect(read.entries.map((e) => e.dataFile.filePath)).toEqual([
      "s3://b/t/data/f1.parquet",
      "s3://b/t/data/f3.parquet",
    ]);
    // keep returning nothing reads every entry
    expect(readManifest(bytes, "m", { manifest: entry, keep: () => undefined }).entries).toEqual(
      full.entries,
    );
    // v3 first row ids count every entry: keep is not applied
    const v3 = readManifest(bytes, "m", { manifest: { ...entry, firstRowId: 0n }, keep: () => () => false });
    expect(v3.entries).toHaveLength(4);
  });
});

describe("inheritance", () => {
  it("fills snapshot id and sequence numbers of added entries from the manifest list", () => {
    const old: ManifestEntry = {
      status: 0,
      snapshotId: 11n,
      sequenceNumber: 4n,
      fileSequenceNumber: 5n,
      dataFile: dataFile(2),
    };
    const explicit = added(dataFile(3), 6n); // an added file with an older data sequence number
    const { bytes, manifest } = writeManifest(options([added(dataFile(1)), old, explicit]));
    expect(manifest.minSequenceNumber).toBe(4n);
    // The commit: the manifest list gives the manifest the snapshot's sequence number.
    const list = writeManifestList({
      snapshotId: SNAP,
      parentSnapshotId: 11n,
      sequenceNumber: 9n,
      manifests: [manifest],
    });
    const [entry] = readManifestList(list, "l").manifests;
    expect(entry?.sequenceNumber).toBe(9n);
    const read = readManifest(bytes, manifest.manifestPath, { manifest: entry });
    expect(read.entries.map((e) => [e.status, e.snapshotId, e.sequenceNumber, e.fileSequenceNumber])).toEqual(
      [
        [1, SNAP, 9n, 9n],
        [0, 11n, 4n, 5n],
        [1, SNAP, 6n, 9n],
      ],
    );
  });

  it("does not inherit sequence numbers into existing entries of v2 manifests", async () => {
    const bytes = await avscFile(
      entrySchema({ withSeq: true }),
      [
        {
          status: 0,
          snapshot_id: null,
          sequence_number: null,
          file_sequence_number: null,
          data_file: v1File,
        },
      ],
      { "format-version": "2", content: "data" },
    );
    const entry = { ...manifestListEntry, sequenceNumber: 7n };
    const [e] = readManifest(bytes, "m.avro", { manifest: entry }).entries;
    expect([e?.snapshotId, e?.sequenceNumber, e?.fileSequenceNumber]).toEqual([SNAP, null, null]);
  });
});

// Java's V1Metadata manifest_entry: no sequence numbers, no content, block_size_in_bytes, older
// field order; a partition with Avro-illegal names handled by id.
const v1DataFile = {
  type: "record",
  name: "r2",
  fields: [
    { name: "file_path", type: "string", "field-id": 100 },
    { name: "file_format", type: "string", "field-id": 101 },
    {
      name: "partition",
      type: {
        type: "record",
        name: "r102",
        fields: [{ name: "category_bucket", type: ["null", "int"], default: null, "field-id": 1000 }],
      },
      "field-id": 102,
    },
    { name: "record_count", type: "long", "field-id": 103 },
    { name: "file_size_in_bytes", type: "long", "field-id": 104 },
    { name: "block_size_in_bytes", type: "long", "field-id": 105 },
    {
      name: "value_counts",
      type: [
        "null",
        {
          type: "array",
          logicalType: "map",
          items: {
            type: "record",
            name: "k119_v120",
            fields: [
              { name: "value", type: "long", "field-id": 120 },
              { name: "key", type: "int", "field-id": 119 },
            ],
          },
        },
      ],
      default: null,
      "field-id": 109,
    },
  ],
};

function entrySchema({ withSeq }: { withSeq: boolean }) {
  return {
    type: "record",
    name: "manifest_entry",
    fields: [
      { name: "status", type: "int", "field-id": 0 },
      { name: "snapshot_id", type: ["null", "long"], default: null, "field-id": 1 },
      ...(withSeq
        ? [
            { name: "sequence_number", type: ["null", "long"], default: null, "field-id": 3 },
            { name: "file_sequence_number", type: ["null", "long"], default: null, "field-id": 4 },
          ]
        : []),
      { name: "data_file", type: v1DataFile, "field-id": 2 },
    ],
  };
}

const v1File = {
  file_path: "s3://b/f.parquet",
  file_format: "PARQUET",
  partition: { category_bucket: 3 },
  record_count: 5n,
  file_size_in_bytes: 500n,
  block_size_in_bytes: 67108864n,
  value_counts: [{ value: 5n, key: 1 }],
};

const manifestListEntry = {
  manifestPath: "m.avro",
  manifestLength: 1n,
  partitionSpecId: 0,
  content: 0,
  sequenceNumber: 0n,
  minSequenceNumber: 0n,
  addedSnapshotId: SNAP,
} as const;

describe("manifests written by others", () => {
  it("reads a v1 manifest: content data, sequence numbers 0, snapshot id inherited", async () => {
    const bytes = await avscFile(
      entrySchema({ withSeq: false }),
      [{ status: 1, snapshot_id: null, data_file: v1File }],
      { schema: "{}", "partition-spec": "[]" },
    );
    const m = readManifest(bytes, "s3://b/v1.avro", { manifest: manifestListEntry });
    expect(m.formatVersion).toBe(1);
    expect(m.specId).toBe(0);
    expect(m.partitionType.fields).toEqual([
      { id: 1000, name: "category_bucket", required: false, type: { type: "int" } },
    ]);
    expect(m.entries).toEqual([
      {
        status: 1,
        snapshotId: SNAP,
        sequenceNumber: 0n,
        fileSequenceNumber: 0n,
        dataFile: {
          content: 0,
          filePath: "s3://b/f.parquet",
          fileFormat: "PARQUET",
          partition: [3],
          recordCount: 5n,
          fileSizeInBytes: 500n,
          valueCounts: new Map([[1, 5n]]),
        },
      },
    ]);
  });

  it("reads partition values in the order of a given partition type, by id", async () => {
    const bytes = await avscFile(
      entrySchema({ withSeq: false }),
      [{ status: 1, snapshot_id: 1n, data_file: v1File }],
      {},
    );
    const given: PartitionType = {
      type: "struct",
      fields: [
        { id: 1001, name: "added_later", required: false, type: { type: "string" } },
        { id: 1000, name: "renamed", required: false, type: { type: "int" } },
      ],
    };
    const m = readManifest(bytes, "m.avro", { partitionType: given });
    expect(m.entries[0]?.dataFile.partition).toEqual([null, 3]);
    const wrong: PartitionType = {
      type: "struct",
      fields: [{ id: 1000, name: "x", required: false, type: { type: "string" } }],
    };
    expect(() => readManifest(bytes, "m.avro", { partitionType: wrong })).toThrow(
      /partition field 1000 \(x\) is not of type string/,
    );
  });
});

describe("bad manifests", () => {
  const expectBadRequest = (f: () => unknown, message: RegExp): void => {
    let error: unknown;
    try {
      f();
    } catch (e) {
      error = e;
    }
    expect(isFloeError(error, "BAD_REQUEST"), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/manifest s3:\/\/b\/m\.avro/);
    expect((error as Error).message).toMatch(message);
  };

  it("rejects a manifest without the data_file field id", async () => {
    const schema = entrySchema({ withSeq: false });
    const renumbered = {
      ...schema,
      fields: schema.fields.map((f) => ({ ...f, "field-id": Number(f["field-id"]) + 50 })),
    };
    const bytes = await avscFile(renumbered, [{ status: 1, snapshot_id: 1n, data_file: v1File }], {});
    expectBadRequest(() => readManifest(bytes, "s3://b/m.avro"), /no record field with id 2 \(data_file\)/);
  });

  it("rejects a data file without its required fields", async () => {
    const df = {
      ...v1DataFile,
      fields: v1DataFile.fields.map((f) => (f["field-id"] === 100 ? { ...f, "field-id": 999 } : f)),
    };
    const base = entrySchema({ withSeq: false });
    const schema = {
      ...base,
      fields: base.fields.map((f): object => (f.name === "data_file" ? { ...f, type: df } : f)),
    };
    const bytes = await avscFile(schema, [{ status: 1, snapshot_id: 1n, data_file: v1File }], {});
    expectBadRequest(() => readManifest(bytes, "s3://b/m.avro"), /no field with id 100 \(file_path\)/);
  });

  it("rejects a metric map of the wrong value type", async () => {
    const df = structuredClone(v1DataFile) as unknown as { fields: { name: string; type: unknown }[] };
    const counts = df.fields.find((f) => f.name === "value_counts") as {
      type: [string, { items: { fields: { type: string }[] } }];
    };
    (counts.type[1].items.fields[0] as { type: string }).type = "string"; // the value field (id 120)
    const base = entrySchema({ withSeq: false });
    const schema = {
      ...base,
      fields: base.fields.map((f): object => (f.name === "data_file" ? { ...f, type: df } : f)),
    };
    const file = { ...v1File, value_counts: [{ value: "five", key: 1 }] };
    const bytes = await avscFile(schema, [{ status: 1, snapshot_id: 1n, data_file: file }], {});
    expectBadRequest(
      () => readManifest(bytes, "s3://b/m.avro"),
      /field 109 \(value_counts\) has a value that is not long/,
    );
  });

  it("never throws anything but BAD_REQUEST on corrupt bytes", () => {
    const { bytes } = writeManifest(options([added(dataFile(1)), added(dataFile(2))], { codec: "null" }));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 3,
        }),
        (edits) => {
          const bad = Uint8Array.from(bytes);
          for (const [i, b] of edits) bad[i] = b;
          try {
            readManifest(bad, "m");
          } catch (e) {
            expect(isFloeError(e, "BAD_REQUEST"), String(e)).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("rejects truncation and wrong magic", () => {
    const { bytes } = writeManifest(options([added(dataFile(1)), added(dataFile(2))]));
    // Cut right after the header, a file is a valid empty container; anywhere else it is refused.
    const sync = Buffer.from(bytes.subarray(bytes.length - 16));
    const headerEnd = Buffer.from(bytes).indexOf(sync) + 16;
    for (let n = 0; n < bytes.length; n++)
      if (n === headerEnd) expect(readManifest(bytes.subarray(0, n), "m").entries).toEqual([]);
      else
        expectBadRequest(
          () => readManifest(bytes.subarray(0, n), "s3://b/m.avro"),
          /truncated|corrupt|magic/,
        );
    const other = Uint8Array.from(bytes);
    other[3] = 2;
    expectBadRequest(() => readManifest(other, "s3://b/m.avro"), /wrong magic/);
  });
});

describe("format v1 writing", () => {
  // Java's v1 files (test/fixtures/avro/java) are the reference for field ids, order and types.
  const JAVA = new URL("../fixtures/avro/java/", import.meta.url);
  const javaSchema = (name: string): unknown =>
    withoutDocs(readAvroFile(new Uint8Array(readFileSync(new URL(name, JAVA))), name).schema);
  const withoutDocs = (s: unknown): unknown =>
    JSON.parse(JSON.stringify(s, (k, v: unknown) => (k === "doc" ? undefined : v)));

  it("writes v1 manifests and lists as Java does, read back with the spec's v1 defaults", () => {
    const javaSpec: PartitionSpec = {
      specId: 0,
      fields: [
        { sourceId: 1, fieldId: 1000, name: "ts_day", transform: { kind: "day" } },
        { sourceId: 2, fieldId: 1001, name: "region", transform: { kind: "identity" } },
        { sourceId: 3, fieldId: 1002, name: "amount", transform: { kind: "identity" } },
        { sourceId: 6, fieldId: 1003, name: "id_bucket", transform: { kind: "bucket", numBuckets: 4 } },
      ],
    };
    const javaSchemaModel: Schema = {
      ...schema,
      fields: [...schema.fields, { id: 6, name: "id", required: true, type: { type: "long" } }],
    };
    const f = (n: number): DataFile => ({ ...dataFile(n), partition: [19000 + n, `r${n}`, 1420n, n] });
    const existing: ManifestEntry = {
      status: 0,
      snapshotId: 11n,
      sequenceNumber: null,
      fileSequenceNumber: null,
      dataFile: f(2),
    };
    const { bytes, manifest } = writeManifest({
      ...options([added(f(1)), existing]),
      formatVersion: 1,
      schema: javaSchemaModel,
      spec: javaSpec,
    });
    expect(withoutDocs(readAvroFile(bytes, "m").schema)).toEqual(javaSchema("manifest-v1.avro"));
    const list = writeManifestList({
      formatVersion: 1,
      snapshotId: SNAP,
      parentSnapshotId: null,
      sequenceNumber: 0n,
      manifests: [manifest],
    });
    expect(withoutDocs(readAvroFile(list, "l").schema)).toEqual(javaSchema("snap-v1.avro"));
    const read = readManifestList(list, "l");
    expect(read.formatVersion).toBe(1);
    expect(Object.fromEntries(read.metadata)).toMatchObject({
      "format-version": "1",
      "parent-snapshot-id": "null",
    });
    expect(read.metadata.has("sequence-number")).toBe(false);
    const [entry] = read.manifests;
    expect(entry).toMatchObject({
      sequenceNumber: 0n,
      minSequenceNumber: 0n,
      addedFilesCount: 1,
      existingFilesCount: 1,
    });
    const m = readManifest(bytes, "m", { manifest: entry });
    expect(m.formatVersion).toBe(1);
    expect(m.entries.map((e) => [e.status, e.snapshotId, e.sequenceNumber, e.fileSequenceNumber])).toEqual([
      [1, SNAP, 0n, 0n],
      [0, 11n, 0n, 0n],
    ]);
    expect(m.entries.map((e) => e.dataFile)).toEqual([f(1), f(2)]);
  });

  it("refuses delete files in v1", () => {
    expect(() => writeManifest({ ...options([]), content: 1, formatVersion: 1 })).toThrow(
      /format v1 has no delete files/,
    );
  });
});

describe("partition specs at the edges", () => {
  it("writes and reads an unpartitioned manifest (an empty r102)", () => {
    const unpartitioned: PartitionSpec = { specId: 0, fields: [] };
    const f = dataFile(1, { partition: [] });
    const { bytes, manifest } = writeManifest({ ...options([added(f)]), spec: unpartitioned });
    expect(manifest.partitions).toEqual([]);
    const m = readManifest(bytes, "m");
    expect(m.partitionType.fields).toEqual([]);
    expect(m.entries[0]?.dataFile).toEqual(f);
  });

  it("writes a partition of a dropped column (type unknown) as Avro null", () => {
    const spec: PartitionSpec = {
      specId: 1,
      fields: [
        { sourceId: 99, fieldId: 1000, name: "gone", transform: { kind: "identity" } },
        { sourceId: 2, fieldId: 1001, name: "region", transform: { kind: "identity" } },
      ],
    };
    const f = dataFile(1, { partition: [null, "eu"] });
    const { bytes, manifest } = writeManifest({ ...options([added(f)]), spec });
    const m = readManifest(bytes, "m");
    expect(m.partitionType.fields.map((x) => x.type.type)).toEqual(["unknown", "string"]);
    expect(m.entries[0]?.dataFile.partition).toEqual([null, "eu"]);
    expect(manifest.partitions?.[0]).toEqual({ containsNull: true, containsNan: false });
  });
});
