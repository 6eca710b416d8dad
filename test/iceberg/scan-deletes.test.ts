import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DataFile, PartitionValues } from "../../src/iceberg/data-file.ts";
import { compareLiterals } from "../../src/iceberg/expressions/literals.ts";
import { DeleteIndex, partitionKey } from "../../src/iceberg/scan/delete-index.ts";
import { toSingleValue } from "../../src/iceberg/single-value.ts";

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

describe("equality deletes are skipped only when metrics show no equal values", () => {
  const TYPES = { 1: { type: "long" }, 2: { type: "string" }, 3: { type: "double" } } as const;
  type Values = readonly (readonly [bigint | null, string | null, number | null])[];
  const rows = fc.array(
    fc.tuple(
      fc.option(fc.bigInt({ min: -5n, max: 5n })),
      fc.option(fc.constantFrom("a", "ab", "b", "é")),
      fc.option(fc.constantFrom(-1, 0, 2.5, NaN)),
    ),
    { minLength: 1, maxLength: 6 },
  );
  const dropArb = fc.subarray(["values", "nulls", "lower", "upper"] as const);

  /** A file with these rows' metrics on columns 1 to 3, some maps left out. */
  function withMetrics(content: 0 | 2, values: Values, drop: readonly string[]): DataFile {
    const valueCounts = new Map<number, bigint>();
    const nullCounts = new Map<number, bigint>();
    const lower = new Map<number, Uint8Array>();
    const upper = new Map<number, Uint8Array>();
    for (const id of [1, 2, 3] as const) {
      const vs = values.map((r) => r[id - 1] ?? null);
      valueCounts.set(id, BigInt(vs.length));
      nullCounts.set(id, BigInt(vs.filter((v) => v === null).length));
      const real = vs.filter((v) => v !== null && !(typeof v === "number" && Number.isNaN(v)));
      if (real.length === 0) continue;
      const sorted = [...real].sort((a, b) => compareLiterals(a!, b!));
      lower.set(id, toSingleValue(TYPES[id], sorted[0]!));
      upper.set(id, toSingleValue(TYPES[id], sorted[sorted.length - 1]!));
    }
    return file(content, content === 0 ? "s3://b/data.parquet" : "s3://b/eq.parquet", {
      ...(content === 2 ? { equalityIds: [1, 2, 3] } : {}),
      ...(drop.includes("values") ? {} : { valueCounts }),
      ...(drop.includes("nulls") ? {} : { nullValueCounts: nullCounts }),
      ...(drop.includes("lower") ? {} : { lowerBounds: lower }),
      ...(drop.includes("upper") ? {} : { upperBounds: upper }),
    });
  }

  const same = (a: unknown, b: unknown) =>
    a === b || (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b));

  it("(property)", () => {
    fc.assert(
      fc.property(rows, rows, dropArb, dropArb, (dataRows, deleteRows, dropData, dropDelete) => {
        const index = new DeleteIndex((id) => TYPES[id as 1 | 2 | 3]);
        const eqFile = withMetrics(2, deleteRows, dropDelete);
        index.add({ file: eqFile, specId: 0, sequenceNumber: 2n, unpartitioned: true }, []);
        const data = withMetrics(0, dataRows, dropData);
        const deletesSome = dataRows.some((r) => deleteRows.some((d) => r.every((v, i) => same(v, d[i]))));
        const applied = index.forDataFile(data, 0, [], 1n).length === 1;
        if (deletesSome) expect(applied).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("by disjoint ranges and by nulls on one side only", () => {
    const index = new DeleteIndex((id) => TYPES[id as 1 | 2 | 3]);
    const eqFile = withMetrics(2, [[10n, "x", 1]], []);
    index.add({ file: eqFile, specId: 0, sequenceNumber: 2n, unpartitioned: true }, []);
    const applies = (values: Values, drop: readonly string[] = []) =>
      index.forDataFile(withMetrics(0, values, drop), 0, [], 1n).length === 1;
    expect(applies([[1n, "x", 1]])).toBe(false);
    expect(applies([[1n, "x", 1]], ["upper"])).toBe(true);
    expect(applies([[10n, "x", 1]])).toBe(true);
    expect(applies([[null, "x", 1]])).toBe(false);
    expect(applies([[null, "x", 1]], ["nulls"])).toBe(true);
    expect(applies([[10n, "y", 1]])).toBe(false);
    expect(applies([[10n, "x", 5]])).toBe(true); // doubles: NaN is outside the bounds, so ranges are not used
  });
});
