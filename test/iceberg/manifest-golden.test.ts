import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readAvroFile } from "../../src/iceberg/avro/container.ts";
import { readManifest } from "../../src/iceberg/manifest.ts";
import { readManifestList } from "../../src/iceberg/manifest-list.ts";
import { summarizePartitions } from "../../src/iceberg/manifest-summary.ts";

// Manifests and manifest lists written by pyiceberg (test/fixtures/avro/pyiceberg/generate.py):
// another implementation's framing, schemas, codecs and file metadata.
const DIR = new URL("../fixtures/avro/pyiceberg/", import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, DIR)));
const SNAP = 7263591925164385283n;
const le64 = (v: bigint): Uint8Array => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(v);
  return new Uint8Array(b);
};

const file = (n: number) => ({
  content: 0,
  filePath: `s3://bucket/t/data/f${n}.parquet`,
  fileFormat: "PARQUET",
  partition: [19000 + n, `r${n}`, n % 4],
  recordCount: 100n * BigInt(n),
  fileSizeInBytes: n === 1 ? 9007199254740993n : 1000n * BigInt(n),
  columnSizes: new Map([
    [1, 10n * BigInt(n)],
    [3, 30n],
  ]),
  valueCounts: new Map([[1, 100n * BigInt(n)]]),
  nullValueCounts: new Map([
    [1, 0n],
    [3, BigInt(n)],
  ]),
  nanValueCounts: new Map(),
  lowerBounds: new Map([
    [1, le64(BigInt(-n))],
    [3, Uint8Array.of(0x61)],
  ]),
  upperBounds: new Map([
    [1, le64(SNAP)],
    [3, Uint8Array.of(0x7a)],
  ]),
  splitOffsets: [4n],
  sortOrderId: 0,
});

describe.each([
  ["v2-deflate", 2, "deflate"],
  ["v2-snappy", 2, "snappy"],
  ["v2-zstandard", 2, "zstandard"],
  ["v1-null", 1, "null"],
])("pyiceberg %s", (name, version, codec) => {
  const listBytes = read(`snap-${name}.avro`);
  const list = readManifestList(listBytes, name);
  const [entry] = list.manifests;

  it("reads the manifest list", () => {
    expect(readAvroFile(listBytes, name).metadata.get("avro.codec")).toBe(codec);
    expect(list.formatVersion).toBe(version);
    expect(list.metadata.get("snapshot-id")).toBe(String(SNAP));
    expect(list.manifests).toHaveLength(1);
    expect(entry).toMatchObject({
      manifestPath: `manifest-${name}.avro`,
      partitionSpecId: 0,
      content: 0,
      sequenceNumber: version === 1 ? 0n : 5n,
      minSequenceNumber: version === 1 ? 0n : 2n,
      addedSnapshotId: SNAP,
      addedFilesCount: 1,
      existingFilesCount: 1,
      deletedFilesCount: 0,
      addedRowsCount: 100n,
      existingRowsCount: 200n,
      deletedRowsCount: 0n,
    });
    expect(entry?.manifestLength).toBe(BigInt(read(`manifest-${name}.avro`).length));
  });

  it("reads the manifest, inheriting from the list", () => {
    const m = readManifest(read(`manifest-${name}.avro`), name, { manifest: entry });
    expect(m.formatVersion).toBe(version);
    expect(m.specId).toBe(0);
    expect(m.partitionType.fields.map((f) => [f.id, f.name, f.type.type])).toEqual([
      [1000, "ts_day", "date"],
      [1001, "region", "string"],
      [1002, "id_bucket", "int"],
    ]);
    expect(m.entries).toEqual([
      {
        status: 1,
        snapshotId: SNAP,
        sequenceNumber: version === 1 ? 0n : 5n,
        fileSequenceNumber: version === 1 ? 0n : 5n,
        dataFile: file(1),
      },
      {
        status: 0,
        snapshotId: 11n,
        sequenceNumber: version === 1 ? 0n : 2n,
        fileSequenceNumber: version === 1 ? 0n : 3n,
        dataFile: file(2),
      },
    ]);
    // floe's partition summaries of the same tuples are byte for byte pyiceberg's.
    expect(
      summarizePartitions(
        m.partitionType,
        m.entries.map((e) => e.dataFile.partition),
      ),
    ).toEqual(entry?.partitions);
  });
});

// Written by Java Iceberg 1.10.1 (test/fixtures/avro/java/FloeGolden.java): the reference writer.
const JAVA = new URL("../fixtures/avro/java/", import.meta.url);
const readJava = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, JAVA)));
const base = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

const javaFile = (n: number) => ({
  content: 0,
  filePath: `s3://bucket/t/data/f${n}.parquet`,
  fileFormat: "PARQUET",
  partition: [19002 + n, `r${n}`, 1420n + BigInt(n), n],
  recordCount: 100n * BigInt(n),
  fileSizeInBytes: n === 1 ? 9007199254740993n : 2000n,
  columnSizes: new Map([[1, 10n * BigInt(n)]]),
  valueCounts: new Map([[1, 100n * BigInt(n)]]),
  nullValueCounts: new Map([[1, 0n]]),
  lowerBounds: new Map([[1, le64(BigInt(-n))]]),
  upperBounds: new Map([[1, le64(SNAP)]]),
  splitOffsets: [4n],
  sortOrderId: 0,
});

describe.each([1, 2])("Java Iceberg v%i", (version) => {
  const list = readManifestList(readJava(`snap-v${version}.avro`), `snap-v${version}.avro`);

  it("reads the manifest list and its data manifest", () => {
    expect(list.formatVersion).toBe(version);
    expect(Object.fromEntries(list.metadata)).toMatchObject({
      "snapshot-id": String(SNAP),
      "parent-snapshot-id": "11",
      "avro.codec": "deflate",
    });
    const [data] = list.manifests;
    expect(data).toMatchObject({
      content: 0,
      sequenceNumber: version === 1 ? 0n : 5n,
      minSequenceNumber: version === 1 ? 0n : 2n,
      addedSnapshotId: SNAP,
      addedFilesCount: 1,
      existingFilesCount: 1,
      addedRowsCount: 100n,
      existingRowsCount: 200n,
    });
    const bytes = readJava(base(data?.manifestPath ?? ""));
    expect(data?.manifestLength).toBe(BigInt(bytes.length));
    const m = readManifest(bytes, "m", { manifest: data });
    expect(m.partitionType.fields.map((f) => [f.id, f.name, f.type])).toEqual([
      [1000, "ts_day", { type: "date" }],
      [1001, "region", { type: "string" }],
      [1002, "amount", { type: "decimal", precision: 9, scale: 2 }],
      [1003, "id_bucket", { type: "int" }],
    ]);
    const v1 = version === 1;
    expect(m.entries).toEqual([
      {
        status: 1,
        snapshotId: SNAP,
        sequenceNumber: v1 ? 0n : 5n,
        fileSequenceNumber: v1 ? 0n : 5n,
        dataFile: javaFile(1),
      },
      {
        status: 0,
        snapshotId: 11n,
        sequenceNumber: v1 ? 0n : 2n,
        fileSequenceNumber: v1 ? 0n : 3n,
        dataFile: javaFile(2),
      },
    ]);
    expect(
      summarizePartitions(
        m.partitionType,
        m.entries.map((e) => e.dataFile.partition),
      ),
    ).toEqual(data?.partitions);
  });
});

describe("Java Iceberg v2 deletes", () => {
  const list = readManifestList(readJava("snap-v2.avro"), "snap-v2.avro");

  it("reads the delete manifest", () => {
    const deletes = list.manifests[1];
    expect(deletes).toMatchObject({
      content: 1,
      sequenceNumber: 5n,
      minSequenceNumber: 5n,
      addedFilesCount: 2,
    });
    const m = readManifest(readJava(base(deletes?.manifestPath ?? "")), "d", { manifest: deletes });
    expect(m.content).toBe(1);
    expect(m.entries.map((e) => [e.sequenceNumber, e.dataFile])).toEqual([
      [
        5n,
        {
          content: 2,
          filePath: "s3://bucket/t/data/eq.parquet",
          fileFormat: "PARQUET",
          partition: [19001, "r1", 1421n, 1],
          recordCount: 3n,
          fileSizeInBytes: 300n,
          equalityIds: [1],
          sortOrderId: 0,
        },
      ],
      [
        5n,
        {
          content: 1,
          filePath: "s3://bucket/t/data/pos.parquet",
          fileFormat: "PARQUET",
          partition: [19001, "r1", 1421n, 1],
          recordCount: 4n,
          fileSizeInBytes: 400n,
          referencedDataFile: "s3://bucket/t/data/f1.parquet",
        },
      ],
    ]);
  });
});
