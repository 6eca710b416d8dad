import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DataFile } from "../../src/iceberg/data-file.ts";
import { decimalToString } from "../../src/iceberg/decimal.ts";
import { bind } from "../../src/iceberg/expressions/bind.ts";
import { matches } from "../../src/iceberg/expressions/evaluate.ts";
import {
  and,
  eq,
  type Expression,
  expressionToString,
  gt,
  gtEq,
  isIn,
  isNaN,
  isNull,
  lt,
  ltEq,
  not,
  notEq,
  notIn,
  notNaN,
  notNull,
  or,
} from "../../src/iceberg/expressions/expression.ts";
import { compareLiterals } from "../../src/iceberg/expressions/literals.ts";
import { manifestMightMatch } from "../../src/iceberg/expressions/manifest-evaluator.ts";
import { fileMightMatch } from "../../src/iceberg/expressions/metrics-evaluator.ts";
import { projectInclusive } from "../../src/iceberg/expressions/projection.ts";
import { residualFor } from "../../src/iceberg/expressions/residual.ts";
import { classifyFile, fileAllMatch } from "../../src/iceberg/expressions/strict-metrics-evaluator.ts";
import { summarizePartitions } from "../../src/iceberg/manifest-summary.ts";
import { partitionType, type PartitionSpec } from "../../src/iceberg/partition-spec.ts";
import type { Schema } from "../../src/iceberg/schema.ts";
import { toSingleValue } from "../../src/iceberg/single-value.ts";
import { applyTransform } from "../../src/iceberg/transform-values.ts";
import type { PrimitiveType, PrimitiveValue } from "../../src/iceberg/types.ts";

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: "i", required: false, type: { type: "int" } },
    { id: 2, name: "l", required: false, type: { type: "long" } },
    { id: 3, name: "s", required: false, type: { type: "string" } },
    { id: 4, name: "x", required: false, type: { type: "double" } },
    { id: 5, name: "d", required: false, type: { type: "date" } },
    { id: 6, name: "ts", required: false, type: { type: "timestamptz" } },
    { id: 7, name: "dec", required: false, type: { type: "decimal", precision: 6, scale: 2 } },
  ],
};
const COLUMNS = schema.fields.map((f) => ({ id: f.id, name: f.name, type: f.type as PrimitiveType }));

const spec: PartitionSpec = {
  specId: 1,
  fields: [
    { sourceId: 1, fieldId: 1000, name: "i", transform: { kind: "identity" } },
    { sourceId: 1, fieldId: 1001, name: "i_trunc", transform: { kind: "truncate", width: 10 } },
    { sourceId: 2, fieldId: 1002, name: "l_bucket", transform: { kind: "bucket", numBuckets: 4 } },
    { sourceId: 3, fieldId: 1003, name: "s_trunc", transform: { kind: "truncate", width: 1 } },
    { sourceId: 4, fieldId: 1004, name: "x", transform: { kind: "identity" } },
    { sourceId: 5, fieldId: 1005, name: "d_month", transform: { kind: "month" } },
    { sourceId: 5, fieldId: 1006, name: "d_year", transform: { kind: "year" } },
    { sourceId: 6, fieldId: 1007, name: "ts_day", transform: { kind: "day" } },
    { sourceId: 6, fieldId: 1008, name: "ts_hour", transform: { kind: "hour" } },
    { sourceId: 7, fieldId: 1009, name: "dec_trunc", transform: { kind: "truncate", width: 50 } },
    { sourceId: 2, fieldId: 1010, name: "l_void", transform: { kind: "void" } },
  ],
};
const ptype = partitionType(spec, schema);

type Row = readonly (PrimitiveValue | null)[]; // by column position

const HOUR = 3_600_000_000n;
const CHARS = ["a", "b", "z", "é", "\u{1F600}", "\uFFFD"];
const str = fc.array(fc.constantFrom(...CHARS), { maxLength: 3 }).map((a) => a.join(""));

/** A value of each column, drawn from small domains so that predicates often hit. */
const valueOf: Record<number, fc.Arbitrary<PrimitiveValue>> = {
  1: fc.integer({ min: -25, max: 25 }),
  2: fc.bigInt({ min: -20n, max: 20n }),
  3: str,
  4: fc.constantFrom(-2.5, -1, -0, 0, 0.5, 1, 3, Infinity, -Infinity, NaN),
  5: fc.integer({ min: -800, max: 800 }),
  6: fc
    .tuple(fc.integer({ min: -60, max: 60 }), fc.integer({ min: -2, max: 2 }))
    .map(([h, d]) => BigInt(h) * HOUR + BigInt(d)),
  7: fc.bigInt({ min: -300n, max: 300n }),
};

const rowArb: fc.Arbitrary<Row> = fc.tuple(
  ...COLUMNS.map((c) => fc.option(valueOf[c.id] as fc.Arbitrary<PrimitiveValue>, { freq: 5 })),
);

/** A literal as a caller would write it, converted by bind. */
const literalOf = (id: number): fc.Arbitrary<PrimitiveValue> =>
  (valueOf[id] as fc.Arbitrary<PrimitiveValue>)
    .filter((v) => !(typeof v === "number" && Number.isNaN(v)))
    .map((v) => (id === 7 ? decimalToString(v as bigint, 2) : v));

const predicateArb: fc.Arbitrary<Expression> = fc.constantFrom(...COLUMNS).chain((c) => {
  const lit = literalOf(c.id);
  const column = c.name;
  const choices: fc.Arbitrary<Expression>[] = [
    fc.constant(isNull(column)),
    fc.constant(notNull(column)),
    ...(["eq", "notEq", "lt", "ltEq", "gt", "gtEq"] as const).map((op) =>
      lit.map((v) => ({ eq, notEq, lt, ltEq, gt, gtEq })[op](column, v)),
    ),
    fc.array(lit, { maxLength: 4 }).map((vs) => isIn(column, vs)),
    fc.array(lit, { maxLength: 4 }).map((vs) => notIn(column, vs)),
  ];
  if (c.type.type === "double") choices.push(fc.constant(isNaN(column)), fc.constant(notNaN(column)));
  return fc.oneof(...choices);
});

const exprArb: fc.Arbitrary<Expression> = fc.letrec<{ e: Expression }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    predicateArb,
    fc.tuple(tie("e"), tie("e")).map(([a, b]) => and(a, b)),
    fc.tuple(tie("e"), tie("e")).map(([a, b]) => or(a, b)),
    tie("e").map((a) => not(a)),
  ),
})).e;

/** How the writer recorded metrics for a file: all of them, some, truncated string bounds. */
const metricsStyleArb = fc.record({
  drop: fc.subarray(["values", "nulls", "nans", "lower", "upper"] as const),
  truncate: fc.integer({ min: 1, max: 3 }),
});
type MetricsStyle = { drop: readonly string[]; truncate: number };

/** The smallest string above every string starting with `s`'s first `n` code points, if any. */
function truncateUpper(s: string, n: number): string | undefined {
  const cps = Array.from(s);
  if (cps.length <= n) return s;
  for (let i = n - 1; i >= 0; i--) {
    const next = (cps[i] as string).codePointAt(0)! + 1;
    if (next <= 0x10ffff && (next < 0xd800 || next > 0xdfff))
      return cps.slice(0, i).join("") + String.fromCodePoint(next);
  }
  return undefined;
}

function fileOf(rows: readonly Row[], partition: Row, style: MetricsStyle): DataFile {
  const valueCounts = new Map<number, bigint>();
  const nullCounts = new Map<number, bigint>();
  const nanCounts = new Map<number, bigint>();
  const lower = new Map<number, Uint8Array>();
  const upper = new Map<number, Uint8Array>();
  COLUMNS.forEach((c, i) => {
    const vs = rows.map((r) => r[i] ?? null);
    valueCounts.set(c.id, BigInt(vs.length));
    nullCounts.set(c.id, BigInt(vs.filter((v) => v === null).length));
    if (c.type.type === "double")
      nanCounts.set(c.id, BigInt(vs.filter((v) => typeof v === "number" && Number.isNaN(v)).length));
    const real = vs.filter(
      (v): v is PrimitiveValue => v !== null && !(typeof v === "number" && Number.isNaN(v)),
    );
    if (real.length === 0) return;
    let min = real.reduce((a, b) => (compareLiterals(a, b) <= 0 ? a : b));
    let max: PrimitiveValue | undefined = real.reduce((a, b) => (compareLiterals(a, b) >= 0 ? a : b));
    if (c.type.type === "string") {
      min = Array.from(min as string)
        .slice(0, style.truncate)
        .join("");
      max = truncateUpper(max as string, style.truncate);
    }
    lower.set(c.id, toSingleValue(c.type, min));
    if (max !== undefined) upper.set(c.id, toSingleValue(c.type, max));
  });
  const keep = (what: string) => !style.drop.includes(what);
  return {
    content: 0,
    filePath: "f.parquet",
    fileFormat: "PARQUET",
    partition,
    recordCount: BigInt(rows.length),
    fileSizeInBytes: 1n,
    ...(keep("values") ? { valueCounts } : {}),
    ...(keep("nulls") ? { nullValueCounts: nullCounts } : {}),
    ...(keep("nans") ? { nanValueCounts: nanCounts } : {}),
    ...(keep("lower") ? { lowerBounds: lower } : {}),
    ...(keep("upper") ? { upperBounds: upper } : {}),
  };
}

const partitionOf = (row: Row): Row =>
  spec.fields.map((f) => {
    const i = COLUMNS.findIndex((c) => c.id === f.sourceId);
    return applyTransform(f.transform, COLUMNS[i]!.type, row[i] ?? null);
  });

const key = (tuple: Row): string =>
  tuple.map((v) => (typeof v === "number" && Object.is(v, -0) ? "-0" : String(v))).join("|");

const get = (row: Row) => (id: number) => row[COLUMNS.findIndex((c) => c.id === id)];
const getPartition = (tuple: Row) => (id: number) => tuple[spec.fields.findIndex((f) => f.fieldId === id)];

describe("pruning never drops a file with a matching row", () => {
  it("metrics, partition tuples and manifest summaries (property)", () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { minLength: 1, maxLength: 30 }),
        exprArb,
        metricsStyleArb,
        (rows, expr, style) => {
          const bound = bind(expr, schema);
          const projected = projectInclusive(bound, spec);
          const groups = new Map<string, Row[]>();
          for (const r of rows) {
            const k = key(partitionOf(r));
            groups.set(k, [...(groups.get(k) ?? []), r]);
          }
          const tuples = [...groups.values()].map((g) => partitionOf(g[0]!));
          const summaries = summarizePartitions(ptype, tuples);
          const anyMatch = rows.some((r) => matches(bound, get(r)));
          if (anyMatch) expect(manifestMightMatch(projected, spec, summaries)).toBe(true);
          for (const group of groups.values()) {
            if (!group.some((r) => matches(bound, get(r)))) continue;
            const tuple = partitionOf(group[0]!);
            const file = fileOf(group, tuple, style);
            const why = `${expressionToString(bound)} / ${expressionToString(projected)}`;
            expect(matches(projected, getPartition(tuple)), why).toBe(true);
            expect(fileMightMatch(bound, file), why).toBe(true);
            const residual = residualFor(bound, spec, tuple);
            for (const r of group) expect(matches(residual, get(r)), why).toBe(matches(bound, get(r)));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("pruning drops files that cannot match", () => {
  const file = (over: Partial<DataFile> = {}): DataFile => ({
    content: 0,
    filePath: "f.parquet",
    fileFormat: "PARQUET",
    partition: [],
    recordCount: 10n,
    fileSizeInBytes: 1n,
    valueCounts: new Map([
      [1, 10n],
      [3, 10n],
      [4, 10n],
    ]),
    nullValueCounts: new Map([
      [1, 0n],
      [3, 2n],
      [4, 0n],
    ]),
    nanValueCounts: new Map([[4, 0n]]),
    lowerBounds: new Map([
      [1, toSingleValue({ type: "int" }, 10)],
      [3, toSingleValue({ type: "string" }, "ca")],
      [4, toSingleValue({ type: "double" }, -1)],
    ]),
    upperBounds: new Map([
      [1, toSingleValue({ type: "int" }, 20)],
      [3, toSingleValue({ type: "string" }, "cz")],
      [4, toSingleValue({ type: "double" }, 1)],
    ]),
    ...over,
  });
  const might = (e: Expression, f = file()) => fileMightMatch(bind(e, schema), f);

  it("by bounds and counts", () => {
    expect(might(lt("i", 10))).toBe(false);
    expect(might(ltEq("i", 10))).toBe(true);
    expect(might(gt("i", 20))).toBe(false);
    expect(might(eq("i", 21))).toBe(false);
    expect(might(isIn("i", [1, 30]))).toBe(false);
    expect(might(isIn("i", [1, 15]))).toBe(true);
    expect(might(isNull("i"))).toBe(false);
    expect(might(isNull("s"))).toBe(true);
    expect(might(eq("s", "d"))).toBe(false);
    // A truncated upper bound is rounded up, so it still bounds the values from above.
    expect(might(gt("s", "cz"))).toBe(false);
    expect(might(gtEq("s", "cz"))).toBe(true);
    expect(might(gtEq("s", "d"))).toBe(false);
    expect(might(isNaN("x"))).toBe(false);
    expect(might(gt("x", 1))).toBe(false);
    expect(might(and(eq("i", 15), eq("s", "b")))).toBe(false);
    expect(might(or(eq("i", 1), eq("s", "cc")))).toBe(true);
    expect(might(not(gtEq("i", 10)))).toBe(false);
    expect(might(eq("i", 15), file({ recordCount: 0n }))).toBe(false);
  });

  it("keeps files whose metrics are missing or cannot prove anything", () => {
    expect(might(lt("i", 10), file({ lowerBounds: new Map() }))).toBe(true);
    expect(might(isNull("i"), file({ nullValueCounts: undefined }))).toBe(true);
    expect(might(notEq("i", 15))).toBe(true);
    expect(might(notIn("i", [10, 11]))).toBe(true);
    // NaN is above every number and the bounds leave it out.
    expect(might(gt("x", 1), file({ nanValueCounts: new Map([[4, 1n]]) }))).toBe(true);
    expect(might(gt("x", 1), file({ nanValueCounts: undefined }))).toBe(true);
    expect(might(isNaN("x"), file({ nanValueCounts: undefined }))).toBe(true);
    // A bound of another width (written before int → long promotion) is read as the narrower type.
    expect(might(eq("l", 5n), file({ lowerBounds: new Map([[2, toSingleValue({ type: "int" }, 6)]]) }))).toBe(
      false,
    );
    expect(might(eq("i", 5), file({ lowerBounds: new Map([[1, Uint8Array.of(1)]]) }))).toBe(true);
  });

  it("only nulls or only NaN", () => {
    const nulls = file({
      nullValueCounts: new Map([[1, 10n]]),
      lowerBounds: new Map(),
      upperBounds: new Map(),
    });
    expect(might(eq("i", 1), nulls)).toBe(false);
    expect(might(notNull("i"), nulls)).toBe(false);
    expect(might(isNull("i"), nulls)).toBe(true);
    const nans = file({
      nanValueCounts: new Map([[4, 10n]]),
      lowerBounds: new Map(),
      upperBounds: new Map(),
    });
    expect(might(lt("x", 0), nans)).toBe(false);
    expect(might(gt("x", 0), nans)).toBe(true);
    expect(might(notNaN("x"), nans)).toBe(false);
  });

  it("by partition projection and summaries", () => {
    const tuple = partitionOf([7, 3n, "abc", 1.5, 400, 5n * HOUR, 120n]);
    const proj = (e: Expression) => projectInclusive(bind(e, schema), spec);
    const yes = (e: Expression) => matches(proj(e), getPartition(tuple));
    expect(yes(eq("i", 7))).toBe(true);
    expect(yes(eq("i", 8))).toBe(false);
    expect(yes(gt("i", 5))).toBe(true);
    expect(yes(gtEq("i", 10))).toBe(false);
    expect(yes(eq("s", "abd"))).toBe(true); // truncate[1] keeps "a"
    expect(yes(gtEq("s", "b"))).toBe(false);
    expect(yes(lt("s", "a"))).toBe(true);
    expect(yes(lt("s", "\u0000"))).toBe(false);
    expect(yes(lt("d", 365))).toBe(false); // 400 is in 1971, month 13
    expect(yes(lt("d", 397))).toBe(true); // 1971-02-01 is day 396
    expect(yes(gt("ts", 6n * HOUR - 1n))).toBe(false);
    expect(yes(gt("ts", 6n * HOUR - 2n))).toBe(true);
    expect(yes(isIn("l", [3n, 4n]))).toBe(true);
    expect(yes(lt("l", -100n))).toBe(true); // bucket cannot project ranges
    expect(yes(notEq("i", 7))).toBe(false);
    expect(yes(notEq("s", "abc"))).toBe(true);
    expect(yes(lt("dec", "1.00"))).toBe(false);
    expect(yes(lt("dec", "1.01"))).toBe(true);
    expect(yes(isNull("l"))).toBe(false); // bucket keeps nullness; void knows nothing

    // Before 1970, old Java writers' month and year could be one too large (rounded toward zero).
    expect(expressionToString(proj(eq("d", -20)))).toBe("(d_month IN (-1, 0) AND d_year IN (-1, 0))");
    expect(expressionToString(proj(lt("d", -20)))).toBe("(d_month <= 0 AND d_year <= 0)");
    expect(expressionToString(proj(gtEq("d", -20)))).toBe("(d_month >= -1 AND d_year >= -1)");
    expect(expressionToString(proj(eq("d", 20)))).toBe("(d_month = 0 AND d_year = 0)");

    const summaries = summarizePartitions(ptype, [tuple, partitionOf([30, 3n, "q", NaN, 0, 0n, 0n])]);
    const inManifest = (e: Expression) => manifestMightMatch(proj(e), spec, summaries);
    expect(inManifest(eq("i", 20))).toBe(true);
    expect(inManifest(eq("i", 31))).toBe(false);
    expect(inManifest(isNull("i"))).toBe(false);
    expect(inManifest(gt("x", 100))).toBe(true); // a NaN partition
    expect(inManifest(lt("x", -100))).toBe(false);
    expect(inManifest(isNaN("x"))).toBe(true);
    expect(inManifest(eq("s", "zzz"))).toBe(false);
    expect(manifestMightMatch(proj(eq("i", 31)), spec, undefined)).toBe(true);
  });
});

describe("strict evaluation: a file said to match whole has no row that fails", () => {
  it("metrics and identity partitions (property)", () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { minLength: 1, maxLength: 30 }),
        exprArb,
        metricsStyleArb,
        (rows, expr, style) => {
          const bound = bind(expr, schema);
          const groups = new Map<string, Row[]>();
          for (const r of rows) {
            const k = key(partitionOf(r));
            groups.set(k, [...(groups.get(k) ?? []), r]);
          }
          for (const group of groups.values()) {
            const tuple = partitionOf(group[0]!);
            const file = fileOf(group, tuple, style);
            const why = expressionToString(bound);
            const all = group.every((r) => matches(bound, get(r)));
            const none = !group.some((r) => matches(bound, get(r)));
            if (fileAllMatch(bound, file)) expect(all, why).toBe(true);
            const c = classifyFile(bound, spec, tuple, file);
            if (c === "all") expect(all, why).toBe(true);
            if (c === "none") expect(none, why).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("by bounds and counts", () => {
    const f: DataFile = {
      content: 0,
      filePath: "f.parquet",
      fileFormat: "PARQUET",
      partition: [],
      recordCount: 10n,
      fileSizeInBytes: 1n,
      valueCounts: new Map([
        [1, 10n],
        [3, 10n],
        [4, 10n],
      ]),
      nullValueCounts: new Map([
        [1, 0n],
        [3, 2n],
        [4, 0n],
      ]),
      nanValueCounts: new Map([[4, 0n]]),
      lowerBounds: new Map([
        [1, toSingleValue({ type: "int" }, 10)],
        [4, toSingleValue({ type: "double" }, -1)],
      ]),
      upperBounds: new Map([
        [1, toSingleValue({ type: "int" }, 20)],
        [4, toSingleValue({ type: "double" }, 1)],
      ]),
    };
    const all = (e: Expression, file = f) => fileAllMatch(bind(e, schema), file);
    expect(all(lt("i", 21))).toBe(true);
    expect(all(lt("i", 20))).toBe(false);
    expect(all(ltEq("i", 20))).toBe(true);
    expect(all(gt("i", 9))).toBe(true);
    expect(all(gtEq("i", 11))).toBe(false);
    expect(all(notEq("i", 25))).toBe(true);
    expect(all(notEq("i", 15))).toBe(false);
    expect(all(notIn("i", [1, 30]))).toBe(true);
    expect(all(notNull("i"))).toBe(true);
    expect(all(notNull("s"))).toBe(false);
    expect(all(eq("s", "a"))).toBe(false); // nulls never match
    expect(all(lt("x", 2))).toBe(true);
    expect(all(lt("x", 2), { ...f, nanValueCounts: new Map([[4, 1n]]) })).toBe(false);
    expect(all(lt("x", 2), { ...f, nanValueCounts: undefined })).toBe(false);
    expect(all(or(lt("i", 0), gt("i", 5)))).toBe(true);
    expect(all(and(lt("i", 30), isNull("s")))).toBe(false);
    const single = {
      ...f,
      lowerBounds: new Map([[1, toSingleValue({ type: "int" }, 7)]]),
      upperBounds: new Map([[1, toSingleValue({ type: "int" }, 7)]]),
    };
    expect(all(eq("i", 7), single)).toBe(true);
    expect(all(isIn("i", [7, 8]), single)).toBe(true);
    expect(all(eq("i", 7))).toBe(false);
    expect(all(lt("i", 21), { ...f, upperBounds: new Map() })).toBe(false);
    expect(all(lt("i", 21), { ...f, nullValueCounts: undefined })).toBe(false);
    expect(all(eq("i", 1), { ...f, recordCount: 0n })).toBe(true);
  });
});
