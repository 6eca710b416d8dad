import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DataFile, PartitionValues } from "../../src/iceberg/data-file.ts";
import { DeleteIndex, partitionKey } from "../../src/iceberg/scan/delete-index.ts";

interface Placed {
  readonly file: DataFile;
  readonly specId: number;
  readonly partition: PartitionValues;
  readonly seq: bigint;
}

const PATHS = ["s3://b/t/data/1.parquet", "s3://b/t/data/2.parquet", "s3://b/t/data/3.parquet"];
// Spec 0 is unpartitioned; spec 1 has one field, with -0.0 and NaN among its values.
const placement = fc.oneof(
  fc.constant({ specId: 0, partition: [] as PartitionValues }),
  fc
    .constantFrom<PartitionValues>([1], [2], [0], [-0], [NaN], [null])
    .map((partition) => ({ specId: 1, partition })),
);
const seq = fc.bigInt({ min: 1n, max: 5n });

const dataArb = fc.record({ path: fc.constantFrom(...PATHS), at: placement, seq });
const deleteArb = fc.record({
  content: fc.constantFrom(1 as const, 2 as const),
  dv: fc.boolean(),
  referenced: fc.option(fc.constantFrom(...PATHS)),
  at: placement,
  seq,
});

const file = (content: 0 | 1 | 2, path: string, over: Partial<DataFile> = {}): DataFile => ({
  content,
  filePath: path,
  fileFormat: "PARQUET",
  partition: [],
  recordCount: 1n,
  fileSizeInBytes: 1n,
  ...over,
});

/** The spec's rules, written out plainly. */
function expected(data: Placed, deletes: readonly Placed[]): string[] {
  const samePartition = (d: Placed) =>
    d.specId === data.specId &&
    partitionKey(d.specId, d.partition) === partitionKey(data.specId, data.partition);
  const positional = deletes.filter(
    (d) =>
      d.file.content === 1 &&
      samePartition(d) &&
      d.seq >= data.seq &&
      (d.file.referencedDataFile === undefined || d.file.referencedDataFile === data.file.filePath),
  );
  const vectors = positional.filter((d) => d.file.fileFormat === "puffin");
  const equality = deletes.filter(
    (d) => d.file.content === 2 && d.seq > data.seq && (d.specId === 0 || samePartition(d)),
  );
  return [...(vectors.length > 0 ? vectors : positional), ...equality].map((d) => d.file.filePath).sort();
}

describe("delete files apply by sequence number and partition", () => {
  it("as the spec's rules say (property)", () => {
    fc.assert(
      fc.property(
        fc.array(dataArb, { maxLength: 5 }),
        fc.array(deleteArb, { maxLength: 12 }),
        (datas, dels) => {
          const index = new DeleteIndex();
          const deletes: Placed[] = dels.map((d, i) => {
            const dv = d.content === 1 && d.dv && d.referenced !== null;
            const f = file(d.content, `s3://b/t/deletes/${i}.${dv ? "puffin" : "parquet"}`, {
              partition: d.at.partition,
              ...(dv ? { fileFormat: "puffin" } : {}),
              ...(d.content === 1 && d.referenced !== null ? { referencedDataFile: d.referenced } : {}),
              ...(d.content === 2 ? { equalityIds: [1] } : {}),
            });
            return { file: f, specId: d.at.specId, partition: d.at.partition, seq: d.seq };
          });
          for (const d of deletes)
            index.add(
              { file: d.file, specId: d.specId, sequenceNumber: d.seq, unpartitioned: d.specId === 0 },
              d.partition,
            );
          for (const d of datas) {
            const data: Placed = {
              file: file(0, d.path, { partition: d.at.partition }),
              specId: d.at.specId,
              partition: d.at.partition,
              seq: d.seq,
            };
            const got = index.forDataFile(data.file, data.specId, data.partition, data.seq);
            expect(got.map((f) => f.filePath).sort()).toEqual(expected(data, deletes));
            // Position deletes come first, then equality deletes by ascending sequence number.
            const kinds = got.map((f) => f.content);
            expect(kinds).toEqual([...kinds].sort());
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("compares floating-point partition values by their bits", () => {
    expect(partitionKey(1, [NaN])).toBe(partitionKey(1, [0 / 0]));
    expect(partitionKey(1, [-0])).not.toBe(partitionKey(1, [0]));
    expect(partitionKey(1, [5])).toBe(partitionKey(1, [5n])); // an int partition read before promotion
    expect(partitionKey(1, [null])).not.toBe(partitionKey(1, ["null"]));
    expect(partitionKey(1, [1])).not.toBe(partitionKey(2, [1]));
  });
});
