import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSql } from "../../src/engine/read-sql.ts";
import { scanSql } from "../../src/engine/scan-sql.ts";
import { writeDataFiles } from "../../src/engine/write-data-files.ts";
import { UNPARTITIONED } from "../../src/iceberg/partition-spec.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";
import { rows, useDuck } from "./duck.ts";

const { duck, warehouse } = useDuck();

const struct = (fields: unknown[]) => ({ type: "struct", fields });
const list = (id: number, element: unknown) => ({
  type: "list",
  "element-id": id,
  element,
  "element-required": false,
});
const map = (keyId: number, valueId: number, value: unknown) => ({
  type: "map",
  "key-id": keyId,
  key: "string",
  "value-id": valueId,
  value,
  "value-required": false,
});

const schemaA = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "int" },
    {
      id: 2,
      name: "st",
      required: false,
      type: struct([
        { id: 3, name: "a", required: false, type: "int" },
        { id: 4, name: "b", required: false, type: "string" },
      ]),
    },
    {
      id: 5,
      name: "l",
      required: false,
      type: list(6, struct([{ id: 7, name: "p", required: false, type: "float" }])),
    },
    {
      id: 8,
      name: "m",
      required: false,
      type: map(9, 10, struct([{ id: 11, name: "q", required: false, type: "int" }])),
    },
  ],
});

// Nested renames (a → aa, p → pp, q → qq, b → a: a name reused by another field), promotions inside
// structs, lists and maps, a nested field added (c) and a top-level rename (st → s).
const schemaB = schemaFromJson({
  type: "struct",
  "schema-id": 1,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    {
      id: 2,
      name: "s",
      required: false,
      type: struct([
        { id: 3, name: "aa", required: false, type: "long" },
        { id: 4, name: "a", required: false, type: "string" },
        { id: 12, name: "c", required: false, type: "int", "initial-default": 9 },
      ]),
    },
    {
      id: 5,
      name: "l",
      required: false,
      type: list(6, struct([{ id: 7, name: "pp", required: false, type: "double" }])),
    },
    {
      id: 8,
      name: "m",
      required: false,
      type: map(9, 10, struct([{ id: 11, name: "qq", required: false, type: "long" }])),
    },
  ],
});

async function write(schema: typeof schemaA, source: string) {
  return writeDataFiles({
    duck: duck(),
    schema,
    spec: UNPARTITIONED,
    source,
    location: join(warehouse(), "nested"),
    targetFileSizeBytes: 1 << 30,
    store: new LocalObjectStore(warehouse()),
  });
}

describe("readSql: nested fields by field id", () => {
  it("reads files of an older and the current schema as rows of the current one", async () => {
    const old = await write(
      schemaA,
      `SELECT 1 AS id, {'a': 10, 'b': 'x'} AS st, [{'p': 1.5}, NULL] AS l, MAP {'k': {'q': 7}} AS m
       UNION ALL SELECT 2, NULL, NULL, NULL`,
    );
    const current = await write(
      schemaB,
      `SELECT 3 AS id, {'aa': 30, 'a': 'z', 'c': 5} AS s, [{'pp': 2.5}] AS l, MAP {'j': {'qq': 8}} AS m`,
    );
    const files = [...old, ...current].map((f) => f.filePath);
    const sql = await readSql(duck(), schemaB, files);
    expect(await rows(duck(), `SELECT * FROM (${sql}) ORDER BY id`)).toEqual([
      {
        id: "1",
        s: { aa: "10", a: "x", c: 9 },
        l: [{ pp: 1.5 }, null],
        m: [{ key: "k", value: { qq: "7" } }],
      },
      { id: "2", s: null, l: null, m: null },
      { id: "3", s: { aa: "30", a: "z", c: 5 }, l: [{ pp: 2.5 }], m: [{ key: "j", value: { qq: "8" } }] },
    ]);
    const types = await rows(duck(), `SELECT column_name, column_type FROM (DESCRIBE ${sql})`);
    expect(types.map((r) => r.column_type)).toEqual([
      "BIGINT",
      "STRUCT(aa BIGINT, a VARCHAR, c INTEGER)",
      "STRUCT(pp DOUBLE)[]",
      "MAP(VARCHAR, STRUCT(qq BIGINT))",
    ]);
    // scanSql, by contrast, matches nested fields by name
    const byName = await rows(
      duck(),
      `SELECT s FROM ${scanSql(schemaB, [old[0]!.filePath])} ORDER BY id LIMIT 1`,
    );
    expect(byName).toEqual([{ s: { aa: null, a: "10", c: null } }]);
  });

  it("reads files that need no rebuilding as they are, and no files as no rows", async () => {
    const files = await write(schemaB, `SELECT 4 AS id, NULL AS s, NULL AS l, NULL AS m`);
    const sql = await readSql(duck(), schemaB, [files[0]!.filePath]);
    expect(sql).not.toContain("struct_pack");
    expect(await rows(duck(), `SELECT id FROM (${sql})`)).toEqual([{ id: "4" }]);
    expect(await rows(duck(), `SELECT count(*) AS n FROM (${await readSql(duck(), schemaB, [])})`)).toEqual([
      { n: "0" },
    ]);
  });

  it("reads files of the current layout by name, without the schema MAP, and others by field id", async () => {
    const flat = (fields: unknown[], id: number) =>
      schemaFromJson({ type: "struct", "schema-id": id, fields });
    const v1 = flat(
      [
        { id: 1, name: "k", required: true, type: "int" },
        { id: 2, name: "amount", required: false, type: "decimal(15,2)" },
        { id: 3, name: "x", required: false, type: "string" },
      ],
      0,
    );
    // x dropped, then a new x (id 4): a file's old x must not be read by its name
    const v2 = flat(
      [
        { id: 1, name: "k", required: true, type: "int" },
        { id: 2, name: "amount", required: false, type: "decimal(15,2)" },
        { id: 4, name: "x", required: false, type: "string" },
      ],
      1,
    );
    // k promoted to long: v1's and v2's files hold an int
    const v3 = flat(
      [
        { id: 1, name: "k", required: true, type: "long" },
        { id: 2, name: "amount", required: false, type: "decimal(15,2)" },
        { id: 4, name: "x", required: false, type: "string" },
      ],
      2,
    );
    const old = await write(v1, `SELECT 1 AS k, 1.25::DECIMAL(15,2) AS amount, 'old' AS x`);
    const current = await write(v2, `SELECT 2 AS k, 2.50::DECIMAL(15,2) AS amount, 'new' AS x`);
    const paths = [...old, ...current].map((f) => f.filePath);

    const direct = await readSql(duck(), v1, [old[0]!.filePath], { positions: true });
    expect(direct).not.toContain("schema = MAP");
    expect(await rows(duck(), `SELECT k, amount, x, file_row_number FROM (${direct})`)).toEqual([
      { k: 1, amount: "1.25", x: "old", file_row_number: "0" },
    ]);

    const mixed = await readSql(duck(), v2, paths);
    expect(mixed.split(" UNION ALL ")).toHaveLength(2);
    expect(mixed.split(" UNION ALL ").filter((q) => q.includes("schema = MAP"))).toHaveLength(1);
    expect(await rows(duck(), `SELECT * FROM (${mixed}) ORDER BY k`)).toEqual([
      { k: 1, amount: "1.25", x: null },
      { k: 2, amount: "2.50", x: "new" },
    ]);

    const promoted = await readSql(duck(), v3, paths);
    expect(promoted).toContain("schema = MAP");
    const types = await rows(duck(), `SELECT column_type FROM (DESCRIBE ${promoted})`);
    expect(types.map((r) => r.column_type)).toEqual(["BIGINT", "DECIMAL(15,2)", "VARCHAR"]);
    expect(await rows(duck(), `SELECT * FROM (${promoted}) ORDER BY k`)).toEqual([
      { k: "1", amount: "1.25", x: null },
      { k: "2", amount: "2.50", x: "new" },
    ]);
  });
});
