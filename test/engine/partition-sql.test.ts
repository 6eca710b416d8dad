import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sqlString } from "../../src/engine/duck-types.ts";
import { fromCanonical, registerTransformFunctions, transformSql } from "../../src/engine/partition-sql.ts";
import { decimalToString } from "../../src/iceberg/decimal.ts";
import { isoTime } from "../../src/iceberg/temporal.ts";
import { applyTransform } from "../../src/iceberg/transform-values.ts";
import { parseTransform, resultType } from "../../src/iceberg/transforms.ts";
import { parsePrimitive, type PrimitiveType, type PrimitiveValue } from "../../src/iceberg/types.ts";
import { useDuck } from "./duck.ts";

const { duck } = useDuck();

/** A value as a SQL expression of the DuckDB type floe writes the Iceberg type as. */
function literal(t: PrimitiveType, v: PrimitiveValue): string {
  switch (t.type) {
    case "int":
      return `CAST(${String(v)} AS INTEGER)`;
    case "long":
      return `CAST(${String(v)} AS BIGINT)`;
    case "date":
      return `(DATE '1970-01-01' + ${String(v)})`;
    case "time":
      return `CAST('${isoTime(v as bigint)}' AS TIME)`;
    case "timestamp":
      return `make_timestamp(CAST(${String(v)} AS BIGINT))`;
    case "timestamptz":
      return `timezone('UTC', make_timestamp(CAST(${String(v)} AS BIGINT)))`;
    case "string":
      return sqlString(v as string);
    case "uuid":
      return `CAST('${String(v)}' AS UUID)`;
    case "binary":
      return `from_hex('${Buffer.from(v as Uint8Array).toString("hex")}')`;
    case "decimal":
      return `CAST('${decimalToString(v as bigint, t.scale)}' AS DECIMAL(${t.precision}, ${t.scale}))`;
    default:
      throw new Error(`no literal for ${t.type}`);
  }
}

async function viaSql(transform: string, type: string, values: readonly PrimitiveValue[]) {
  const t = parseTransform(transform);
  const source = parsePrimitive(typeName(type));
  await registerTransformFunctions(duck());
  const rowsSql = values.map((v, i) => `SELECT ${i} AS i, ${literal(source, v)} AS x`).join(" UNION ALL ");
  const reader = await duck().runAndReadAll(
    `SELECT ${transformSql(t, source, "x")} FROM (${rowsSql}) ORDER BY i`,
  );
  const result = resultType(t, source) as PrimitiveType;
  return reader.getRows().map((r) => fromCanonical(result, r[0] ?? null));
}

const viaJs = (transform: string, type: string, values: readonly PrimitiveValue[]) =>
  values.map((v) => applyTransform(parseTransform(transform), parsePrimitive(typeName(type)), v));

const typeName = (sample: string): string => ({ int32: "int", int64: "long" })[sample] ?? sample;

const DAY = 86_400_000_000n;
const micros = [
  0n,
  -1n,
  1n,
  DAY - 1n,
  -DAY,
  -DAY - 1n,
  1510871468123456n,
  -1510871468123456n,
  3_600_000_000n - 1n,
];
const SAMPLES: Record<string, readonly PrimitiveValue[]> = {
  int: [0, 1, -1, 34, -34, 2147483647, -2147483648, 9, -9, 10],
  long: [0n, 34n, -34n, 9223372036854775807n, -9223372036854775808n, 1099511627776n],
  date: [0, -1, 1, 17486, -17486, 365, -366, 2932896, -719162],
  time: [0n, 1n, 81068000000n, 86399999999n],
  timestamp: micros,
  timestamptz: micros,
  string: ["", "iceberg", "a😀b😀c", "ÄÖÜäöü", "abcdefghij"],
  uuid: ["f79c3e09-677c-4bbd-a479-3f349cb785e7", "00000000-0000-0000-0000-000000000000"],
  binary: [Uint8Array.of(), Uint8Array.of(0, 1, 2, 3), Uint8Array.of(255, 254, 253, 252, 251)],
  "decimal(9,2)": [1420n, -1420n, 0n, 5n, -5n, 999999999n, -99999999n],
  // truncating the smallest values would leave the type's range (Java wraps around, floe does not)
  int32: [0, 1, -1, 34, -34, 2147483647, -2147483640, 9, -9, 10],
  int64: [0n, 34n, -34n, 9223372036854775807n, -9223372036854775800n, -1099511627776n],
  "decimal(38,10)": [123456789012345678901234567890n, -1n, 10000000000n],
};

const CASES: Array<[string, string[]]> = [
  ["bucket[16]", Object.keys(SAMPLES)],
  ["bucket[1000]", ["int", "long", "string", "decimal(9,2)"]],
  ["truncate[10]", ["int32", "int64", "decimal(9,2)", "decimal(38,10)"]],
  ["truncate[3]", ["string", "binary"]],
  ["identity", Object.keys(SAMPLES)],
  ["year", ["date", "timestamp", "timestamptz"]],
  ["month", ["date", "timestamp", "timestamptz"]],
  ["day", ["date", "timestamp", "timestamptz"]],
  ["hour", ["timestamp", "timestamptz"]],
];

describe("partition transforms in DuckDB give the values of transform-values.ts", () => {
  for (const [transform, types] of CASES)
    for (const type of types)
      it(`${transform} of ${type}`, async () => {
        const values = SAMPLES[type] as PrimitiveValue[];
        expect(await viaSql(transform, type, values)).toEqual(viaJs(transform, type, values));
      });

  it("bucket and truncate of random longs, temporal transforms of random timestamps", async () => {
    const anyLong = fc.sample(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), 1000);
    expect(await viaSql("bucket[7]", "long", anyLong)).toEqual(viaJs("bucket[7]", "long", anyLong));
    const ints = fc.sample(fc.integer(), 1000);
    expect(await viaSql("bucket[1024]", "int", ints)).toEqual(viaJs("bucket[1024]", "int", ints));
    const longs = fc.sample(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), 200);
    expect(await viaSql("truncate[1000]", "long", longs)).toEqual(viaJs("truncate[1000]", "long", longs));
    const stamps = fc.sample(fc.bigInt({ min: -(10n ** 16n), max: 10n ** 16n }), 200);
    for (const t of ["year", "month", "day", "hour"])
      expect(await viaSql(t, "timestamptz", stamps)).toEqual(viaJs(t, "timestamptz", stamps));
  });

  it("null stays null", async () => {
    await registerTransformFunctions(duck());
    const reader = await duck().runAndReadAll(
      `SELECT ${transformSql(parseTransform("bucket[4]"), parsePrimitive("string"), "CAST(NULL AS VARCHAR)")}`,
    );
    expect(reader.getRows()).toEqual([[null]]);
  });
});
