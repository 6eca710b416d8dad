import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanSql } from "../../src/engine/scan-sql.ts";
import { writeDataFiles } from "../../src/engine/write-data-files.ts";
import type { DataFile } from "../../src/iceberg/data-file.ts";
import { UNPARTITIONED } from "../../src/iceberg/partition-spec.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import { fromSingleValue } from "../../src/iceberg/single-value.ts";
import { parseIsoTimestamp } from "../../src/iceberg/temporal.ts";
import { parsePrimitive, type PrimitiveValue } from "../../src/iceberg/types.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";
import { rows, useDuck } from "./duck.ts";

const { duck, warehouse } = useDuck();

const PRIMITIVES: Array<[string, string]> = [
  ["b", "boolean"],
  ["i", "int"],
  ["l", "long"],
  ["f", "float"],
  ["d", "double"],
  ["dec", "decimal(9,2)"],
  ["dec38", "decimal(38,10)"],
  ["dt", "date"],
  ["t", "time"],
  ["ts", "timestamp"],
  ["tz", "timestamptz"],
  ["s", "string"],
  ["u", "uuid"],
  ["bin", "binary"],
  ["fx", "fixed[3]"],
];

const primitiveSchema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: PRIMITIVES.map(([name, type], i) => ({ id: i + 1, name, required: false, type })),
});

// Three rows as text, cast by the writer; the third is all nulls but for a NaN float.
const VALUES = `
  ('true', '1', '10', '1.5', '0.1', '12.34', '12345678901234567890.1234567890', '2020-01-01', '01:02:03.5',
   '2020-01-01 00:00:00.123456', '2020-01-01 10:00:00+02', 'abc', 'f79c3e09-677c-4bbd-a479-3f349cb785e7',
   '\\x01\\x02', 'abc'),
  ('false', '-5', '1099511627776', '-2.25', '3.0', '-0.05', '-1', '1969-12-31', '23:59:59.999999',
   '1960-05-06 07:08:09', '1999-12-31 23:00:00-01', 'this is a string longer than sixteen characters',
   '00000000-0000-0000-0000-000000000001', '\\xFF', 'xyz'),
  (NULL, NULL, NULL, 'NaN', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`;
const SOURCE = `SELECT * FROM (VALUES ${VALUES}) AS v(${PRIMITIVES.map(([n]) => n).join(", ")})`;

const store = () => new LocalObjectStore(warehouse());
const ts = (s: string) => parseIsoTimestamp(s, false, "any") as bigint;

async function writeUnpartitioned(name: string, source = SOURCE, schema = primitiveSchema) {
  return writeDataFiles({
    duck: duck(),
    schema,
    spec: UNPARTITIONED,
    source,
    location: `file://${join(warehouse(), name)}`,
    targetFileSizeBytes: 512 * 1024 * 1024,
    store: store(),
  });
}

function bound(file: DataFile, which: "lower" | "upper", id: number): PrimitiveValue | undefined {
  const bytes = (which === "lower" ? file.lowerBounds : file.upperBounds)?.get(id);
  const type = PRIMITIVES[id - 1]?.[1] as string;
  return bytes && fromSingleValue(parsePrimitive(type), bytes);
}

describe("writeDataFiles: every primitive type", () => {
  it("round-trips values through Parquet and reads them back by field id", async () => {
    const [file, ...more] = await writeUnpartitioned("types");
    expect(more).toEqual([]);
    expect(file?.filePath).toMatch(/^file:\/\/\/.*\/types\/data\/[0-9a-f-]{36}\.parquet$/);
    const text = PRIMITIVES.map(([n]) => `CAST(${n} AS VARCHAR) AS ${n}`).join(", ");
    const read = await rows(duck(), `SELECT ${text} FROM ${scanSql(primitiveSchema, [file!.filePath])}`);
    const expected = await rows(
      duck(),
      `SELECT ${PRIMITIVES.map(([n, t]) => `CAST(CAST(${n} AS ${duckTypeOf(t)}) AS VARCHAR) AS ${n}`).join(", ")}
       FROM (${SOURCE})`,
    );
    expect(read).toEqual(expected);
    expect(read[0]).toMatchObject({ tz: expect.stringMatching(/^2020-01-01 0?8:00:00/), dec: "12.34" });
  });

  it("tags every column with its field id and Iceberg's Parquet types", async () => {
    const [file] = await writeUnpartitioned("ids");
    const path = new URL(file!.filePath).pathname;
    const schema = await rows(
      duck(),
      `SELECT name, field_id, type, logical_type FROM parquet_schema('${path}') WHERE field_id IS NOT NULL`,
    );
    expect(schema.map((r) => [r.name, Number(r.field_id)])).toEqual(PRIMITIVES.map(([n], i) => [n, i + 1]));
    const byName = new Map(schema.map((r) => [r.name, r]));
    expect(byName.get("u")?.type).toBe("FIXED_LEN_BYTE_ARRAY");
    expect(byName.get("dec")?.type).toBe("INT32");
    expect(byName.get("dec38")?.type).toBe("FIXED_LEN_BYTE_ARRAY");
    expect(String(byName.get("tz")?.logical_type)).toMatch(/isAdjustedToUTC=1|isAdjustedToUTC=true/i);
    expect(String(byName.get("ts")?.logical_type)).toMatch(/isAdjustedToUTC=0|isAdjustedToUTC=false/i);
  });

  it("records counts, sizes, NaN counts and bounds as Iceberg single values", async () => {
    const [file] = await writeUnpartitioned("metrics");
    const f = file as DataFile;
    expect(f.recordCount).toBe(3n);
    expect(f.fileFormat).toBe("PARQUET");
    expect(f.partition).toEqual([]);
    const ids = PRIMITIVES.map((_, i) => i + 1);
    for (const id of ids) {
      expect(f.valueCounts?.get(id), `value count of ${id}`).toBe(3n);
      expect(f.nullValueCounts?.get(id), `null count of ${id}`).toBe(id === 4 ? 0n : 1n);
      expect(f.columnSizes?.get(id)).toBeGreaterThan(0n);
    }
    expect(f.nanValueCounts?.get(4)).toBe(1n);
    expect(f.nanValueCounts?.get(5)).toBe(0n);
    expect([...(f.nanValueCounts?.keys() ?? [])].sort()).toEqual([4, 5]);
    const expected: Array<[number, PrimitiveValue, PrimitiveValue]> = [
      [1, false, true],
      [2, -5, 1],
      [3, 10n, 1099511627776n],
      [4, -2.25, 1.5],
      [5, 0.1, 3],
      [6, -5n, 1234n],
      [7, -10000000000n, 123456789012345678901234567890n],
      [8, -1, 18262],
      [9, 3723500000n, 86399999999n],
      [10, ts("1960-05-06T07:08:09"), ts("2020-01-01T00:00:00.123456")],
      [11, ts("2000-01-01T00:00:00Z"), ts("2020-01-01T08:00:00Z")],
      // the upper bound is truncated to 16 characters and its last one incremented
      [12, "abc", "this is a strinh"],
      [13, "00000000-0000-0000-0000-000000000001", "f79c3e09-677c-4bbd-a479-3f349cb785e7"],
      [14, Uint8Array.of(1, 2), Uint8Array.of(0xff)],
      [15, new TextEncoder().encode("abc"), new TextEncoder().encode("xyz")],
    ];
    for (const [id, lower, upper] of expected) {
      expect(bound(f, "lower", id), `lower bound of ${id}`).toEqual(lower);
      expect(bound(f, "upper", id), `upper bound of ${id}`).toEqual(upper);
    }
  });

  it("truncates long string lower bounds and leaves out bounds of all-NaN or all-null columns", async () => {
    const schema = schemaFromJson({
      type: "struct",
      "schema-id": 0,
      fields: [
        { id: 1, name: "s", required: true, type: "string" },
        { id: 2, name: "f", required: false, type: "double" },
        { id: 3, name: "n", required: false, type: "int" },
      ],
    });
    const [file] = await writeUnpartitioned(
      "truncate",
      `SELECT repeat('é', 20) || x AS s, 'NaN' AS f, NULL AS n FROM (VALUES ('a'), ('b')) AS v(x)`,
      schema,
    );
    const s = (b: Uint8Array | undefined) => b && (fromSingleValue({ type: "string" }, b) as string);
    expect(s(file?.lowerBounds?.get(1))).toBe("é".repeat(16));
    expect(s(file?.upperBounds?.get(1))).toBe(`${"é".repeat(15)}ê`);
    expect(file?.lowerBounds?.has(2)).toBe(false);
    expect(file?.nanValueCounts?.get(2)).toBe(2n);
    expect(file?.lowerBounds?.has(3)).toBe(false);
    expect(file?.nullValueCounts?.get(3)).toBe(2n);
  });

  it("records where each row group starts as split offsets", async () => {
    const [file] = await writeUnpartitioned("splits");
    expect(file?.splitOffsets).toEqual([4n]);
  });

  it("refuses nulls in required columns and leaves no file behind", async () => {
    const schema = schemaFromJson({
      type: "struct",
      "schema-id": 0,
      fields: [
        { id: 1, name: "id", required: true, type: "long" },
        {
          id: 2,
          name: "opt",
          required: false,
          type: { type: "struct", fields: [{ id: 3, name: "x", required: true, type: "int" }] },
        },
      ],
    });
    // a required field inside a null optional struct is fine
    const ok = await writeUnpartitioned("required-ok", `SELECT 1 AS id, NULL AS opt`, schema);
    expect(ok[0]?.nullValueCounts?.get(3)).toBe(1n);
    await expect(
      writeUnpartitioned(
        "required",
        `SELECT * FROM (VALUES (1), (NULL)) AS v(id), (SELECT NULL AS opt)`,
        schema,
      ),
    ).rejects.toThrow(/required column "id"/);
    expect(await readdir(join(warehouse(), "required", "data"))).toEqual([]);
  });

  it("reports a source without a column of the schema, or with a value that does not cast, as a bad request", async () => {
    const missing = writeUnpartitioned("bad-source", `SELECT 1 AS b`);
    await expect(missing).rejects.toMatchObject({ kind: "BAD_REQUEST" });
    await expect(missing).rejects.toThrow(/does not have a column named "i"/);
    const schema = schemaFromJson({
      type: "struct",
      "schema-id": 0,
      fields: [{ id: 1, name: "i", required: false, type: "int" }],
    });
    await expect(writeUnpartitioned("bad-value", `SELECT 'x' AS i`, schema)).rejects.toMatchObject({
      kind: "BAD_REQUEST",
    });
  });

  it("refuses a null required struct or list", async () => {
    const schema = schemaFromJson({
      type: "struct",
      "schema-id": 0,
      fields: [
        {
          id: 1,
          name: "st",
          required: true,
          type: { type: "struct", fields: [{ id: 2, name: "x", required: false, type: "int" }] },
        },
        {
          id: 3,
          name: "l",
          required: true,
          type: { type: "list", "element-id": 4, element: "int", "element-required": false },
        },
      ],
    });
    const ok = await writeUnpartitioned("req-nested-ok", `SELECT {'x': NULL} AS st, [] AS l`, schema);
    expect(ok).toHaveLength(1);
    const nullStruct = writeUnpartitioned("req-nested", `SELECT NULL AS st, [1] AS l`, schema);
    await expect(nullStruct).rejects.toThrow(/required column "st"/);
    const nullList = writeUnpartitioned("req-nested-2", `SELECT {'x': 1} AS st, NULL AS l`, schema);
    await expect(nullList).rejects.toThrow(/required column "l"/);
    expect(await readdir(join(warehouse(), "req-nested", "data"))).toEqual([]);
  });

  it("refuses a fixed value of the wrong length", async () => {
    const schema = schemaFromJson({
      type: "struct",
      "schema-id": 0,
      fields: [{ id: 1, name: "fx", required: false, type: "fixed[3]" }],
    });
    const wrong = writeUnpartitioned(
      "fixed",
      `SELECT * FROM (VALUES ('abc'), ('abcd'), (NULL)) AS v(fx)`,
      schema,
    );
    await expect(wrong).rejects.toMatchObject({ kind: "BAD_REQUEST" });
    await expect(wrong).rejects.toThrow(/not 3 bytes long/);
  });

  it("writes nothing for an empty source", async () => {
    const files = await writeUnpartitioned("empty", `${SOURCE} LIMIT 0`);
    expect(files).toEqual([]);
    expect(await readdir(join(warehouse(), "empty", "data"))).toEqual([]);
  });
});

describe("writeDataFiles: nested types", () => {
  const schema = schemaFromJson({
    type: "struct",
    "schema-id": 0,
    fields: [
      { id: 1, name: "id", required: true, type: "long" },
      {
        id: 2,
        name: "point",
        required: false,
        type: {
          type: "struct",
          fields: [
            { id: 3, name: "x", required: true, type: "double" },
            { id: 4, name: "label", required: false, type: "string" },
          ],
        },
      },
      {
        id: 5,
        name: "tags",
        required: false,
        type: { type: "list", "element-id": 6, element: "string", "element-required": false },
      },
      {
        id: 7,
        name: "props",
        required: false,
        type: {
          type: "map",
          "key-id": 8,
          key: "string",
          "value-id": 9,
          value: "double",
          "value-required": false,
        },
      },
    ],
  });
  const source = `SELECT 1 AS id, {'x': 1.5, 'label': 'a'} AS point, ['p', NULL, 'q'] AS tags, MAP {'k': 'NaN'::DOUBLE} AS props
    UNION ALL SELECT 2, {'x': -3.0, 'label': NULL}, [], MAP {'k': 2.0, 'j': 1.0}`;

  it("gives nested fields, list elements and map keys and values their field ids", async () => {
    const [file] = await writeUnpartitioned("nested", source, schema);
    const path = new URL(file!.filePath).pathname;
    const ids = await rows(
      duck(),
      `SELECT name, field_id FROM parquet_schema('${path}') WHERE field_id IS NOT NULL`,
    );
    expect(ids.map((r) => `${r.name}:${r.field_id}`)).toEqual([
      "id:1",
      "point:2",
      "x:3",
      "label:4",
      "tags:5",
      "element:6",
      "props:7",
      "key:8",
      "value:9",
    ]);
    const back = await rows(duck(), `SELECT * FROM ${scanSql(schema, [file!.filePath])} ORDER BY id`);
    expect(back[0]).toMatchObject({ id: "1", point: { x: 1.5, label: "a" }, tags: ["p", null, "q"] });
  });

  it("counts leaf values (nulls included) everywhere but bounds only outside lists and maps", async () => {
    const [file] = await writeUnpartitioned("nested-metrics", source, schema);
    const f = file as DataFile;
    expect([...(f.valueCounts?.entries() ?? [])].sort()).toEqual([
      [1, 2n],
      [3, 2n],
      [4, 2n],
      [6, 4n],
      [8, 3n],
      [9, 3n],
    ]);
    expect(f.nullValueCounts?.get(4)).toBe(1n);
    expect(f.nullValueCounts?.get(6)).toBe(2n);
    expect([...(f.lowerBounds?.keys() ?? [])].sort()).toEqual([1, 3, 4]);
    expect(fromSingleValue({ type: "double" }, f.lowerBounds!.get(3)!)).toBe(-3);
    expect(f.nanValueCounts?.get(3)).toBe(0n);
    // a NaN inside a map, counted in the file
    expect(f.nanValueCounts?.get(9)).toBe(1n);
  });
});

describe("writeDataFiles: column names that need quoting", () => {
  it("writes, measures and reads columns named with spaces, quotes, dots and upper case", async () => {
    const schema = schemaFromJson({
      type: "struct",
      "schema-id": 0,
      fields: [
        { id: 1, name: "Mixed Case", required: false, type: "int" },
        { id: 2, name: 'q"uote', required: false, type: "string" },
        { id: 3, name: "dot.ted", required: false, type: "long" },
        {
          id: 4,
          name: "s t",
          required: false,
          type: { type: "struct", fields: [{ id: 5, name: "In'Ner", required: false, type: "double" }] },
        },
      ],
    });
    const [file] = await writeUnpartitioned(
      "quoting",
      `SELECT 1 AS "Mixed Case", 'x' AS "q""uote", 3 AS "dot.ted", {'In''Ner': 'NaN'::DOUBLE} AS "s t"`,
      schema,
    );
    expect([...(file?.valueCounts?.keys() ?? [])].sort()).toEqual([1, 2, 3, 5]);
    expect([...(file?.lowerBounds?.keys() ?? [])].sort()).toEqual([1, 2, 3]);
    expect(file?.nanValueCounts?.get(5)).toBe(1n);
    const back = await rows(duck(), `SELECT * FROM ${scanSql(schema, [file!.filePath])}`);
    expect(back).toEqual([{ "Mixed Case": 1, 'q"uote': "x", "dot.ted": "3", "s t": { "In'Ner": "NaN" } }]);
  });
});

describe("writeDataFiles: NaN counts inside lists", () => {
  it("counts NaNs in list elements and in structs inside lists", async () => {
    const schema = schemaFromJson({
      type: "struct",
      "schema-id": 0,
      fields: [
        {
          id: 1,
          name: "xs",
          required: false,
          type: { type: "list", "element-id": 2, element: "double", "element-required": false },
        },
        {
          id: 3,
          name: "pts",
          required: false,
          type: {
            type: "list",
            "element-id": 4,
            element: { type: "struct", fields: [{ id: 5, name: "v", required: false, type: "float" }] },
            "element-required": false,
          },
        },
      ],
    });
    const [file] = await writeUnpartitioned(
      "nested-nan",
      `SELECT ['NaN'::DOUBLE, 1, 'NaN'] AS xs, [{'v': 'NaN'::FLOAT}, NULL, {'v': 2}] AS pts
       UNION ALL SELECT NULL, [{'v': 'NaN'}]
       UNION ALL SELECT [NULL, 'NaN'], []`,
      schema,
    );
    expect(file?.nanValueCounts?.get(2)).toBe(3n);
    expect(file?.nanValueCounts?.get(5)).toBe(2n);
  });
});

function duckTypeOf(t: string): string {
  const map: Record<string, string> = {
    boolean: "BOOLEAN",
    int: "INTEGER",
    long: "BIGINT",
    float: "FLOAT",
    double: "DOUBLE",
    date: "DATE",
    time: "TIME",
    timestamp: "TIMESTAMP",
    timestamptz: "TIMESTAMPTZ",
    string: "VARCHAR",
    uuid: "UUID",
    binary: "BLOB",
  };
  if (t.startsWith("decimal")) return t.toUpperCase();
  if (t.startsWith("fixed")) return "BLOB";
  return map[t] as string;
}
