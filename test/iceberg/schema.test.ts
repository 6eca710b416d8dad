import { describe, expect, it } from "vitest";
import {
  asStruct,
  assignFreshIds,
  fieldName,
  findField,
  findFieldByName,
  highestFieldId,
  sameSchemaStructure,
  type Schema,
  schemaFromJson,
  schemaToJson,
} from "../../src/iceberg/schema.ts";

const json = {
  type: "struct",
  "schema-id": 1,
  "identifier-field-ids": [1, 4],
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    {
      id: 2,
      name: "loc",
      required: true,
      type: {
        type: "struct",
        fields: [
          { id: 3, name: "lat", required: false, type: "double" },
          { id: 4, name: "zone", required: true, type: "string" },
        ],
      },
    },
    {
      id: 5,
      name: "pts",
      required: false,
      type: {
        type: "list",
        "element-id": 6,
        element: { type: "struct", fields: [{ id: 7, name: "x", required: true, type: "int" }] },
        "element-required": true,
      },
    },
    {
      id: 8,
      name: "m",
      required: false,
      type: {
        type: "map",
        "key-id": 9,
        key: "string",
        "value-id": 10,
        value: "int",
        "value-required": false,
      },
    },
    {
      id: 11,
      name: "opt",
      required: false,
      type: { type: "struct", fields: [{ id: 12, name: "k", required: true, type: "int" }] },
    },
  ],
};

const withIds = (ids: number[]): Record<string, unknown> => ({ ...json, "identifier-field-ids": ids });

describe("schema", () => {
  it("round-trips JSON", () => {
    const s = schemaFromJson(json);
    expect(s.schemaId).toBe(1);
    expect(schemaToJson(s)).toEqual(json);
    expect(asStruct(s).fields).toHaveLength(5);
  });

  it("needs a schema-id unless a default is given", () => {
    const { "schema-id": _, ...noId } = json;
    expect(() => schemaFromJson(noId)).toThrow(/schema-id/);
    expect(schemaFromJson(noId, 0).schemaId).toBe(0);
  });

  it("looks fields up by id and by dotted name", () => {
    const s = schemaFromJson(json);
    expect(findField(s, 4)?.name).toBe("zone");
    expect(fieldName(s, 7)).toBe("pts.element.x");
    expect(fieldName(s, 10)).toBe("m.value");
    expect(findFieldByName(s, "loc.lat")?.id).toBe(3);
    expect(findFieldByName(s, "LOC.LAT")).toBeUndefined();
    expect(findFieldByName(s, "LOC.LAT", false)?.id).toBe(3);
    expect(highestFieldId(s)).toBe(12);
  });

  it("validates identifier fields", () => {
    expect(() => schemaFromJson(withIds([3]))).toThrow(/identifier field 3 .*float or double/);
    expect(() => schemaFromJson(withIds([2]))).toThrow(/not a primitive/);
    expect(() => schemaFromJson(withIds([7]))).toThrow(/list or map/);
    expect(() => schemaFromJson(withIds([9]))).toThrow(/list or map/);
    expect(() => schemaFromJson(withIds([12]))).toThrow(/optional field opt/);
    expect(() => schemaFromJson(withIds([99]))).toThrow(/no such field/);
    const optionalTop = {
      ...json,
      fields: [{ id: 1, name: "id", required: false, type: "long" }],
      "identifier-field-ids": [1],
    };
    expect(() => schemaFromJson(optionalTop)).toThrow(/not a required field/);
  });

  it("rejects duplicate ids and names", () => {
    const dupId = {
      ...json,
      "identifier-field-ids": [],
      fields: [json.fields[0], { id: 1, name: "b", required: true, type: "int" }],
    };
    expect(() => schemaFromJson(dupId)).toThrow(/field id 1 is used more than once/);
    const dupName = {
      ...json,
      "identifier-field-ids": [],
      fields: [json.fields[0], { id: 2, name: "id", required: true, type: "int" }],
    };
    expect(() => schemaFromJson(dupName)).toThrow(/duplicate field name id/);
  });

  it("assigns fresh ids breadth-first per struct, as create-table does", () => {
    const s = schemaFromJson(json);
    const { schema, lastColumnId } = assignFreshIds({ ...s, fields: [...s.fields].reverse() } as Schema);
    expect(lastColumnId).toBe(12);
    expect(schema.fields.map((f) => [f.name, f.id])).toEqual([
      ["opt", 1],
      ["m", 2],
      ["pts", 3],
      ["loc", 4],
      ["id", 5],
    ]);
    expect(fieldName(schema, 6)).toBe("opt.k");
    expect(fieldName(schema, 7)).toBe("m.key");
    expect(schema.identifierFieldIds).toEqual([5, 12]);
    expect(fieldName(schema, 12)).toBe("loc.zone");
    expect(sameSchemaStructure(schema, assignFreshIds(schema).schema)).toBe(true);
    expect(sameSchemaStructure(schema, s)).toBe(false);
  });
});

describe("v3 unknown type", () => {
  it("must be optional", () => {
    const bad = {
      type: "struct",
      "schema-id": 0,
      fields: [{ id: 1, name: "u", required: true, type: "unknown" }],
    };
    expect(() => schemaFromJson(bad)).toThrow(/field u of type unknown must be optional/);
    expect(schemaFromJson({ ...bad, fields: [{ ...bad.fields[0], required: false }] }).fields).toHaveLength(
      1,
    );
  });
});
