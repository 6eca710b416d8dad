import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanSql } from "../../src/engine/scan-sql.ts";
import { writeDataFiles } from "../../src/engine/write-data-files.ts";
import { UNPARTITIONED } from "../../src/iceberg/partition-spec.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";
import { rows, useDuck } from "./duck.ts";

const { duck, warehouse } = useDuck();

const schemaA = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "int" },
    { id: 2, name: "name", required: false, type: "string" },
    { id: 3, name: "score", required: false, type: "float" },
    { id: 4, name: "price", required: false, type: "decimal(5,2)" },
    { id: 5, name: "dropped", required: false, type: "string" },
  ],
});

// Renamed `name` → `label`, promoted int → long, float → double, decimal(5,2) → decimal(10,2),
// dropped field 5, added fields 6 (with an initial default), 7 (without) and a new field 8
// that reuses the dropped column's name: it must not read the old column's values.
const schemaB = schemaFromJson({
  type: "struct",
  "schema-id": 1,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "label", required: false, type: "string" },
    { id: 3, name: "score", required: false, type: "double" },
    { id: 4, name: "price", required: false, type: "decimal(10,2)" },
    { id: 6, name: "region", required: false, type: "string", "initial-default": "eu" },
    { id: 7, name: "added", required: false, type: "int" },
    { id: 8, name: "dropped", required: false, type: "date" },
  ],
});

describe("scanSql: reading with Iceberg column mapping", () => {
  it("reads files written with an older schema by field id: renames, promotions, added columns", async () => {
    const files = await writeDataFiles({
      duck: duck(),
      schema: schemaA,
      spec: UNPARTITIONED,
      source: `SELECT * FROM (VALUES (1, 'one', 1.5, 1.25, 'x'), (2, NULL, -0.5, 999.99, 'y')) AS v(id, name, score, price, dropped)`,
      location: `file://${join(warehouse(), "evolve")}`,
      targetFileSizeBytes: 1 << 30,
      store: new LocalObjectStore(warehouse()),
    });
    const sql = scanSql(
      schemaB,
      files.map((f) => f.filePath),
    );
    const types = await rows(duck(), `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${sql})`);
    expect(types.map((r) => `${r.column_name} ${r.column_type}`)).toEqual([
      "id BIGINT",
      "label VARCHAR",
      "score DOUBLE",
      "price DECIMAL(10,2)",
      "region VARCHAR",
      "added INTEGER",
      "dropped DATE",
    ]);
    expect(await rows(duck(), `SELECT * FROM ${sql} ORDER BY id`)).toEqual([
      { id: "1", label: "one", score: 1.5, price: "1.25", region: "eu", added: null, dropped: null },
      { id: "2", label: null, score: -0.5, price: "999.99", region: "eu", added: null, dropped: null },
    ]);
  });

  it("reads plain paths and several files at once", async () => {
    const write = (name: string, source: string) =>
      writeDataFiles({
        duck: duck(),
        schema: schemaA,
        spec: UNPARTITIONED,
        source,
        location: join(warehouse(), name),
        targetFileSizeBytes: 1 << 30,
        store: new LocalObjectStore(warehouse()),
      });
    const one = await write("many", `SELECT 1 AS id, 'a' AS name, 1 AS score, 1 AS price, NULL AS dropped`);
    const two = await write("many", `SELECT 2 AS id, 'b' AS name, 2 AS score, 2 AS price, NULL AS dropped`);
    const paths = [...one, ...two].map((f) => new URL(f.filePath).pathname);
    expect(await rows(duck(), `SELECT id, label FROM ${scanSql(schemaB, paths)} ORDER BY id`)).toEqual([
      { id: "1", label: "a" },
      { id: "2", label: "b" },
    ]);
  });
});
