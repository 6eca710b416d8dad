import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decimalFromString, decimalToString } from "../../src/iceberg/decimal.ts";
import { valueFromJson, valueToJson } from "../../src/iceberg/json-value.ts";
import {
  escapePathPart,
  humanString,
  parseHumanString,
  parsePartitionPath,
  partitionPath,
  unescapePathPart,
} from "../../src/iceberg/partition-path.ts";
import { partitionSpecFromJson } from "../../src/iceberg/partition-spec.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import { parseIsoTimestamp } from "../../src/iceberg/temporal.ts";
import { applyTransform } from "../../src/iceberg/transform-values.ts";
import { parseTransform } from "../../src/iceberg/transforms.ts";
import { parsePrimitive as p, type PrimitiveValue } from "../../src/iceberg/types.ts";

const schema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "ts", required: false, type: "timestamptz" },
    { id: 3, name: "s", required: false, type: "string" },
    { id: 4, name: "amount", required: false, type: "decimal(9,2)" },
    { id: 5, name: "d", required: false, type: "date" },
    { id: 6, name: "b", required: false, type: "binary" },
  ],
});

const spec = partitionSpecFromJson({
  "spec-id": 0,
  fields: [
    { name: "ts_day", transform: "day", "source-id": 2, "field-id": 1000 },
    { name: "id_bucket", transform: "bucket[16]", "source-id": 1, "field-id": 1001 },
    { name: "s", transform: "identity", "source-id": 3, "field-id": 1002 },
    { name: "ts_hour", transform: "hour", "source-id": 2, "field-id": 1003 },
    { name: "d_month", transform: "month", "source-id": 5, "field-id": 1004 },
    { name: "d_year", transform: "year", "source-id": 5, "field-id": 1005 },
    { name: "amount_trunc", transform: "truncate[100]", "source-id": 4, "field-id": 1006 },
    { name: "ts", transform: "identity", "source-id": 2, "field-id": 1007 },
    { name: "b", transform: "identity", "source-id": 6, "field-id": 1008 },
  ],
});

describe("JSON single values", () => {
  const cases: Array<[string, PrimitiveValue, unknown]> = [
    ["boolean", true, true],
    ["int", 34, 34],
    ["long", 34n, 34],
    ["long", 3055729675574597004n, 3055729675574597004n],
    ["double", 1.5, 1.5],
    ["decimal(4,2)", 1420n, "14.20"],
    ["decimal(4,2)", -5n, "-0.05"],
    ["date", 17486, "2017-11-16"],
    ["time", 81068123456n, "22:31:08.123456"],
    [
      "timestamp",
      parseIsoTimestamp("2017-11-16T22:31:08.123456", false, "none") as bigint,
      "2017-11-16T22:31:08.123456",
    ],
    [
      "timestamptz",
      parseIsoTimestamp("2017-11-16T22:31:08.123456Z", false, "utc") as bigint,
      "2017-11-16T22:31:08.123456+00:00",
    ],
    ["timestamp_ns", 1n, "1970-01-01T00:00:00.000000001"],
    ["string", "iceberg", "iceberg"],
    ["uuid", "f79c3e09-677c-4bbd-a479-3f349cb785e7", "f79c3e09-677c-4bbd-a479-3f349cb785e7"],
    ["fixed[4]", Uint8Array.of(0, 1, 2, 255), "000102ff"],
    ["binary", Uint8Array.of(0, 1, 2, 255), "000102ff"],
  ];
  for (const [type, value, json] of cases)
    it(`${type}: ${JSON.stringify(json, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`, () => {
      expect(valueToJson(p(type), value)).toEqual(json);
      expect(valueFromJson(p(type), json)).toEqual(
        typeof value === "number" && type === "long" ? BigInt(value) : value,
      );
    });

  it("rejects values that do not fit, naming the type", () => {
    expect(() => valueFromJson(p("date"), "2017-13-01")).toThrow(/as a date value/);
    expect(() => valueFromJson(p("timestamp"), "2017-11-16T22:31:08+00:00")).toThrow(/timestamp/);
    expect(() => valueFromJson(p("timestamptz"), "2017-11-16T22:31:08+01:00")).toThrow(/timestamptz/);
    expect(() => valueFromJson(p("decimal(4,2)"), "1.234")).toThrow(/decimal\(4,2\)/);
    expect(() => valueFromJson(p("fixed[2]"), "000102")).toThrow(/fixed\[2\]/);
    expect(() => valueToJson(p("int"), "x")).toThrow(/int/);
    expect(valueFromJson(p("int"), null)).toBeNull();
  });

  it("reads decimals in scientific notation", () => {
    expect(decimalFromString("2E+2", 0)).toBe(200n);
    expect(decimalFromString("1.5e-1", 2)).toBe(15n);
    expect(decimalFromString("abc", 2)).toBeUndefined();
    expect(decimalToString(5n, 0)).toBe("5");
  });
});

describe("partition paths", () => {
  const ts = parseIsoTimestamp("2023-01-01T10:15:00Z", false, "utc") as bigint;
  const row = { id: 34n, ts, s: "a b/c=d", amount: 12345n, d: 19000, b: Uint8Array.of(1, 2, 3) };
  const tuple = (r: typeof row) =>
    spec.fields.map((f) => {
      const source = schema.fields.find((c) => c.id === f.sourceId);
      const v = r[source?.name as keyof typeof row] ?? null;
      return applyTransform(
        f.transform,
        p(String(source?.type.type === "decimal" ? "decimal(9,2)" : source?.type.type)),
        v,
      );
    });

  it("prints Java's human strings, escaped", () => {
    expect(partitionPath(spec, schema, tuple(row))).toBe(
      "ts_day=2023-01-01/id_bucket=3/s=a+b%2Fc%3Dd/ts_hour=2023-01-01-10/d_month=2022-01/d_year=2022" +
        "/amount_trunc=123.00/ts=2023-01-01T10%3A15Z/b=AQID",
    );
    expect(humanString(parseTransform("identity"), p("string"), null)).toBe("null");
    expect(escapePathPart("é*")).toBe("%C3%A9*");
    expect(unescapePathPart("%C3%A9+x")).toBe("é x");
  });

  it("round-trip through their text", () => {
    const values = tuple(row);
    expect(parsePartitionPath(spec, schema, partitionPath(spec, schema, values))).toEqual(values);
    expect(() => parsePartitionPath(spec, schema, "x=1")).toThrow(/1 parts for 9 fields/);
  });

  it("round-trip for any row (property)", () => {
    const arb = fc.record({
      id: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      ts: fc.bigInt({ min: -(10n ** 16n), max: 10n ** 17n }),
      s: fc.string({ unit: "grapheme" }).filter((s) => s !== "null"),
      amount: fc.bigInt({ min: -(10n ** 9n) + 1n, max: 10n ** 9n - 1n }),
      d: fc.integer({ min: -700_000, max: 2_000_000 }),
      b: fc.uint8Array({ maxLength: 8 }),
    });
    fc.assert(
      fc.property(arb, (r) => {
        const values = tuple(r);
        expect(parsePartitionPath(spec, schema, partitionPath(spec, schema, values))).toEqual(values);
      }),
    );
  });

  it("reads each transform's human string back", () => {
    const cases: Array<[string, string, string, PrimitiveValue | null]> = [
      ["year", "date", "2017", 47],
      ["month", "timestamp", "2017-11", 47 * 12 + 10],
      ["day", "timestamp", "2017-11-16", 17486],
      ["hour", "timestamp", "2017-11-16-22", 17486 * 24 + 22],
      ["bucket[4]", "string", "3", 3],
      ["identity", "time", "22:31", 81060000000n],
      ["identity", "boolean", "true", true],
      ["identity", "int", "null", null],
      ["truncate[10]", "long", "-10", -10n],
    ];
    for (const [t, type, text, value] of cases)
      expect(parseHumanString(parseTransform(t), p(type), text)).toEqual(value);
    expect(() => parseHumanString(parseTransform("month"), p("date"), "2017")).toThrow(/2017/);
  });
});

describe("human strings of floating-point identity partitions", () => {
  it("print as Java's Double.toString and read back", () => {
    const t = parseTransform("identity");
    const cases: Array<[number, string]> = [
      [1, "1.0"],
      [0.5, "0.5"],
      [-2.25, "-2.25"],
      [1e7, "1.0E7"],
      [12345678.9, "1.23456789E7"],
      [1.5e-4, "1.5E-4"],
      [0, "0.0"],
      [Number.NaN, "NaN"],
      [Number.POSITIVE_INFINITY, "Infinity"],
    ];
    for (const [v, text] of cases) {
      expect(humanString(t, p("double"), v)).toBe(text);
      expect(parseHumanString(t, p("double"), text)).toEqual(v);
    }
  });
});
