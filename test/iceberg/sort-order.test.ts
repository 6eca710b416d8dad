import { describe, expect, it } from "vitest";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import {
  sameSortFields,
  sortOrderFromJson,
  sortOrderToJson,
  UNSORTED,
  validateSortOrder,
} from "../../src/iceberg/sort-order.ts";

const schema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "d", required: false, type: "date" },
  ],
});

const json = {
  "order-id": 1,
  fields: [
    { transform: "identity", "source-id": 1, direction: "asc", "null-order": "nulls-first" },
    { transform: "month", "source-id": 2, direction: "desc", "null-order": "nulls-last" },
  ],
};

describe("sort orders", () => {
  it("round-trip JSON and validate", () => {
    const order = sortOrderFromJson(json);
    expect(sortOrderToJson(order)).toEqual(json);
    validateSortOrder(order, schema);
    validateSortOrder(UNSORTED, schema);
    expect(sameSortFields(order, { ...order, orderId: 7 })).toBe(true);
    expect(sameSortFields(order, UNSORTED)).toBe(false);
  });

  it("reject bad orders naming the problem", () => {
    const bad =
      (fields: unknown[], id = 1) =>
      () =>
        validateSortOrder(sortOrderFromJson({ "order-id": id, fields }), schema);
    expect(bad([], 1)).toThrow(/unsorted order must have id 0/);
    expect(bad([json.fields[0]], 0)).toThrow(/reserved for the unsorted order/);
    expect(bad([{ ...json.fields[0], "source-id": 9 }])).toThrow(/source field 9 not found/);
    expect(bad([{ ...json.fields[1], transform: "hour" }])).toThrow(/hour cannot be applied to d/);
    expect(() =>
      sortOrderFromJson({ "order-id": 1, fields: [{ ...json.fields[0], direction: "up" }] }),
    ).toThrow(/"direction" must be "asc" or "desc", got "up"/);
    expect(() =>
      sortOrderFromJson({ "order-id": 1, fields: [{ ...json.fields[0], "null-order": "first" }] }),
    ).toThrow(/null-order/);
    expect(() => sortOrderFromJson({ fields: [] })).toThrow(/missing "order-id"/);
  });
});
