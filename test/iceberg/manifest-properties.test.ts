import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DataFile, ManifestEntry } from "../../src/iceberg/data-file.ts";
import { readManifest, writeManifest } from "../../src/iceberg/manifest.ts";
import { readManifestList, writeManifestList } from "../../src/iceberg/manifest-list.ts";
import type { PartitionSpec } from "../../src/iceberg/partition-spec.ts";
import type { Schema } from "../../src/iceberg/schema.ts";
import type { PrimitiveType, PrimitiveValue } from "../../src/iceberg/types.ts";

const long = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
// Below 2^59, so that the row counts of 8 entries still add up to a long.
const count = fc.bigInt({ min: 0n, max: 2n ** 59n });
const bytes = (n?: number) =>
  fc.uint8Array(n === undefined ? { maxLength: 20 } : { minLength: n, maxLength: n });

// Identity partitions of columns of these types; values as PrimitiveValue describes them.
const TYPES: [PrimitiveType, fc.Arbitrary<PrimitiveValue>][] = [
  [{ type: "boolean" }, fc.boolean()],
  [{ type: "int" }, fc.integer()],
  [{ type: "long" }, long],
  [{ type: "float" }, fc.float({ noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x))],
  [{ type: "double" }, fc.double({ noNaN: true })],
  [{ type: "date" }, fc.integer({ min: -1_000_000, max: 1_000_000 })],
  [{ type: "timestamptz" }, long],
  [{ type: "string" }, fc.string({ unit: "grapheme", maxLength: 10 })],
  [{ type: "uuid" }, fc.uuid()],
  [{ type: "binary" }, bytes()],
  [{ type: "fixed", length: 3 }, bytes(3)],
  [
    { type: "decimal", precision: 18, scale: 3 },
    fc.bigInt({ min: -(10n ** 18n) + 1n, max: 10n ** 18n - 1n }),
  ],
];

const intMap = <T>(v: fc.Arbitrary<T>) =>
  fc.option(
    fc
      .uniqueArray(fc.tuple(fc.integer({ min: 1, max: 1000 }), v), { selector: ([k]) => k, maxLength: 4 })
      .map((a) => new Map(a)),
    { nil: undefined },
  );

const tableArb = fc
  .uniqueArray(fc.integer({ min: 0, max: TYPES.length - 1 }), { maxLength: 5 })
  .map((picked) => {
    const schema: Schema = {
      schemaId: 0,
      identifierFieldIds: [],
      fields: picked.map((t, i) => ({
        id: i + 1,
        name: `c${i}`,
        required: false,
        type: (TYPES[t] as [PrimitiveType, unknown])[0],
      })),
    };
    const spec: PartitionSpec = {
      specId: 7,
      fields: picked.map((_, i) => ({
        sourceId: i + 1,
        fieldId: 1000 + i,
        name: `p${i}`,
        transform: { kind: "identity" },
      })),
    };
    return {
      schema,
      spec,
      values: picked.map((t) => (TYPES[t] as [unknown, fc.Arbitrary<PrimitiveValue>])[1]),
    };
  });

const fileArb = (values: fc.Arbitrary<PrimitiveValue>[]): fc.Arbitrary<DataFile> =>
  fc.record(
    {
      content: fc.constant(0 as const),
      filePath: fc.webUrl(),
      fileFormat: fc.constantFrom("PARQUET", "AVRO", "ORC"),
      partition: fc.tuple(...values.map((v) => fc.option(v, { nil: null }))),
      recordCount: count,
      fileSizeInBytes: count,
      columnSizes: intMap(count),
      valueCounts: intMap(count),
      nullValueCounts: intMap(count),
      nanValueCounts: intMap(count),
      lowerBounds: intMap(bytes()),
      upperBounds: intMap(bytes()),
      keyMetadata: fc.option(bytes(), { nil: undefined }),
      splitOffsets: fc.option(fc.array(count, { maxLength: 3 }), { nil: undefined }),
      sortOrderId: fc.option(fc.nat(), { nil: undefined }),
    },
    { requiredKeys: ["content", "filePath", "fileFormat", "partition", "recordCount", "fileSizeInBytes"] },
  );

const entryArb = (values: fc.Arbitrary<PrimitiveValue>[]): fc.Arbitrary<ManifestEntry> =>
  fc.oneof(
    fc.record({
      status: fc.constant(1 as const),
      snapshotId: fc.constant(null),
      sequenceNumber: fc.option(fc.bigInt({ min: 0n, max: 2n ** 62n }), { nil: null }),
      fileSequenceNumber: fc.constant(null),
      dataFile: fileArb(values),
    }),
    fc.record({
      status: fc.constantFrom(0 as const, 2 as const),
      snapshotId: long,
      sequenceNumber: fc.bigInt({ min: 0n, max: 2n ** 62n }),
      fileSequenceNumber: fc.bigInt({ min: 0n, max: 2n ** 62n }),
      dataFile: fileArb(values),
    }),
  );

describe("manifest properties", () => {
  it("write → manifest list → read gives the entries back, with inherited values filled in", () => {
    fc.assert(
      fc.property(
        tableArb.chain((t) =>
          fc.tuple(
            fc.constant(t),
            fc.array(entryArb(t.values), { maxLength: 8 }),
            long,
            fc.bigInt({ min: 0n, max: 2n ** 62n }),
          ),
        ),
        ([{ schema, spec }, entries, snapshotId, sequenceNumber]) => {
          const { bytes, manifest } = writeManifest({
            location: "m.avro",
            content: 0,
            snapshotId,
            schema,
            spec,
            entries,
          });
          const list = writeManifestList({
            snapshotId,
            parentSnapshotId: null,
            sequenceNumber,
            manifests: [manifest],
          });
          const [listed] = readManifestList(list, "l").manifests;
          expect(listed).toEqual({
            ...manifest,
            sequenceNumber,
            minSequenceNumber: manifest.minSequenceNumber ?? sequenceNumber,
          });
          const read = readManifest(bytes, "m.avro", { manifest: listed });
          expect(read.entries).toEqual(
            entries.map((e) => ({
              ...e,
              snapshotId: e.snapshotId ?? snapshotId,
              sequenceNumber: e.sequenceNumber ?? sequenceNumber,
              fileSequenceNumber: e.fileSequenceNumber ?? sequenceNumber,
            })),
          );
          expect(read.partitionType.fields.map((f) => f.type)).toEqual(schema.fields.map((f) => f.type));
        },
      ),
      { numRuns: 200 },
    );
  });
});
