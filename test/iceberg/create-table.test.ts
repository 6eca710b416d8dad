import { describe, expect, it } from "vitest";
import { parseJson, stringifyJson } from "../../src/core/json.ts";
import { newTableMetadata } from "../../src/iceberg/create-table.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import { sortOrderFromJson } from "../../src/iceberg/sort-order.ts";
import { tableMetadataFromJson, tableMetadataToJson } from "../../src/iceberg/table-metadata.ts";
import { unboundSpecFromJson } from "../../src/iceberg/updates.ts";

// As a client sends it: ids of its own choosing.
const schema = schemaFromJson(
  {
    type: "struct",
    "schema-id": 7,
    "identifier-field-ids": [10],
    fields: [
      { id: 10, name: "id", required: true, type: "long" },
      { id: 20, name: "ts", required: false, type: "timestamptz" },
      {
        id: 30,
        name: "tags",
        required: false,
        type: { type: "list", "element-id": 31, element: "string", "element-required": true },
      },
    ],
  },
  0,
);

describe("newTableMetadata", () => {
  it("assigns fresh ids to schema, spec and sort order, rebound by name", () => {
    const m = newTableMetadata({
      schema,
      spec: unboundSpecFromJson(
        {
          fields: [
            { name: "ts_day", transform: "day", "source-id": 20 },
            { name: "id_b", transform: "bucket[4]", "source-id": 10 },
          ],
        },
        "spec",
      ),
      sortOrder: sortOrderFromJson({
        "order-id": 5,
        fields: [{ transform: "identity", "source-id": 10, direction: "asc", "null-order": "nulls-first" }],
      }),
      location: "s3://b/wh/t/",
      properties: { "format-version": "1", owner: "me" },
      tableUuid: "9c12d441-03fe-4693-9a96-a0705ddf69c1",
      nowMs: 1,
    });
    expect(m.formatVersion).toBe(1);
    expect(m.properties).toEqual({ owner: "me" });
    expect(m.location).toBe("s3://b/wh/t");
    expect(m.schemas[0]?.fields.map((f) => f.id)).toEqual([1, 2, 3]);
    expect(m.schemas[0]?.identifierFieldIds).toEqual([1]);
    expect(m.lastColumnId).toBe(4);
    expect(m.partitionSpecs[0]?.fields.map((f) => [f.fieldId, f.sourceId])).toEqual([
      [1000, 2],
      [1001, 1],
    ]);
    expect(m.lastPartitionId).toBe(1001);
    expect(m.sortOrders[0]).toEqual(expect.objectContaining({ orderId: 1 }));
    expect(m.sortOrders[0]?.fields[0]?.sourceId).toBe(1);
    expect(tableMetadataFromJson(parseJson(stringifyJson(tableMetadataToJson(m))))).toEqual(m);
  });

  it("defaults to v2, unpartitioned and unsorted; v3 starts row lineage", () => {
    const m = newTableMetadata({ schema, location: "s3://x" });
    expect(m.formatVersion).toBe(2);
    expect(m.partitionSpecs).toEqual([{ specId: 0, fields: [] }]);
    expect(m.lastPartitionId).toBe(999);
    expect(m.sortOrders).toEqual([{ orderId: 0, fields: [] }]);
    expect(m.tableUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(newTableMetadata({ schema, location: "s3://x", formatVersion: 3 }).nextRowId).toBe(0n);
  });

  it("rejects bad requests naming the problem", () => {
    expect(() => newTableMetadata({ schema, location: "" })).toThrow(/without a location/);
    expect(() =>
      newTableMetadata({ schema, location: "s3://x", properties: { "format-version": "9" } }),
    ).toThrow(/unsupported format version 9/);
    expect(() =>
      newTableMetadata({
        schema,
        location: "s3://x",
        spec: { fields: [{ name: "h", transform: { kind: "hour" }, sourceId: 10 }] },
      }),
    ).toThrow(/hour cannot be applied to id/);
    expect(() =>
      newTableMetadata({
        schema,
        location: "s3://x",
        spec: { fields: [{ name: "q", transform: { kind: "identity" }, sourceId: 99 }] },
      }),
    ).toThrow(/Cannot find source column 99/);
  });
});
