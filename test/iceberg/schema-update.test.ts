import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyUpdates } from "../../src/iceberg/apply-updates.ts";
import { newTableMetadata } from "../../src/iceberg/create-table.ts";
import { fieldName, findFieldByName, schemaFromJson } from "../../src/iceberg/schema.ts";
import {
  addColumn,
  dropColumn,
  renameColumn,
  setColumnDoc,
  setColumnRequired,
  setIdentifierFields,
  updateColumnType,
} from "../../src/iceberg/schema-update.ts";
import { currentSchema } from "../../src/iceberg/table-metadata.ts";
import { parsePrimitive as p, typeFromJson } from "../../src/iceberg/types.ts";

const base = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  "identifier-field-ids": [1],
  fields: [
    { id: 1, name: "id", required: true, type: "int" },
    {
      id: 2,
      name: "loc",
      required: false,
      type: { type: "struct", fields: [{ id: 3, name: "lat", required: false, type: "float" }] },
    },
    {
      id: 4,
      name: "m",
      required: false,
      type: {
        type: "map",
        "key-id": 5,
        key: "string",
        "value-id": 6,
        value: "decimal(9,2)",
        "value-required": false,
      },
    },
  ],
});

describe("schema evolution", () => {
  it("adds columns with fresh ids, nested ones included", () => {
    const nested = typeFromJson({
      type: "list",
      "element-id": 0,
      element: "string",
      "element-required": false,
    });
    const { schema, lastColumnId } = addColumn(base, 6, { name: "tags", type: nested, doc: "labels" });
    expect(lastColumnId).toBe(8);
    expect(fieldName(schema, 7)).toBe("tags");
    expect(fieldName(schema, 8)).toBe("tags.element");
    const inner = addColumn(schema, lastColumnId, { name: "lon", type: p("double") }, "loc");
    expect(fieldName(inner.schema, 9)).toBe("loc.lon");
    expect(() => addColumn(base, 6, { name: "id", type: p("int") })).toThrow(/duplicate field name id/);
    expect(() => addColumn(base, 6, { name: "r", type: p("int"), required: true })).toThrow(
      /without a default/,
    );
    expect(
      addColumn(base, 6, { name: "r", type: p("int"), required: true, initialDefault: 0 }).schema.fields[3],
    ).toEqual(expect.objectContaining({ required: true, initialDefault: 0, writeDefault: 0 }));
    expect(() => addColumn(base, 6, { name: "x", type: p("int") }, "id")).toThrow(/not a struct/);
    expect(() => addColumn(base, 6, { name: "a.b", type: p("int") })).toThrow(/without dots/);
  });

  it("drops, renames, promotes and documents columns by dotted name", () => {
    expect(dropColumn(base, 6, "loc.lat").schema.fields[1]?.type).toEqual({ type: "struct", fields: [] });
    expect(() => dropColumn(base, 6, "id")).toThrow(/identifier field 1/);
    expect(() => dropColumn(base, 6, "m.key")).toThrow(/key or value of a map/);
    expect(findFieldByName(renameColumn(base, 6, "loc.lat", "latitude").schema, "loc.latitude")?.id).toBe(3);
    expect(() => renameColumn(base, 6, "loc", "id")).toThrow(/duplicate field name id/);
    expect(findFieldByName(updateColumnType(base, 6, "id", p("long")).schema, "id")?.type).toEqual(p("long"));
    expect(
      findFieldByName(updateColumnType(base, 6, "m.value", p("decimal(12,2)")).schema, "m.value")?.type,
    ).toEqual(p("decimal(12,2)"));
    expect(() => updateColumnType(base, 6, "loc.lat", p("int"))).toThrow(
      /from float to int: not an allowed type promotion/,
    );
    expect(setColumnDoc(base, 6, "id", "key").schema.fields[0]?.doc).toBe("key");
    expect(
      setColumnDoc(setColumnDoc(base, 6, "id", "key").schema, 6, "id", undefined).schema.fields[0]?.doc,
    ).toBeUndefined();
    expect(() => renameColumn(base, 6, "nope", "x")).toThrow(/Cannot find column nope/);
  });

  it("guards required-ness and identifier fields", () => {
    expect(setColumnRequired(base, 6, "loc", false).schema.fields[1]?.required).toBe(false);
    expect(() => setColumnRequired(base, 6, "loc", true)).toThrow(/existing rows may hold nulls/);
    expect(setColumnRequired(base, 6, "loc", true, true).schema.fields[1]?.required).toBe(true);
    expect(() => setColumnRequired(base, 6, "id", false)).toThrow(/identifier field id optional/);
    expect(setIdentifierFields(base, 6, []).schema.identifierFieldIds).toEqual([]);
    expect(() => setIdentifierFields(base, 6, ["loc.lat"])).toThrow(/float or double/);
  });

  it("evolved schemas commit through add-schema and keep ids stable (property)", () => {
    const names = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,5}$/), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(names, (cols) => {
        let m = newTableMetadata({ schema: base, location: "s3://t", nowMs: 1 });
        for (const c of cols) {
          const { schema, lastColumnId } = addColumn(currentSchema(m), m.lastColumnId, {
            name: `c_${c}`,
            type: p("string"),
          });
          m = applyUpdates(
            m,
            [
              { action: "add-schema", schema, lastColumnId },
              { action: "set-current-schema", schemaId: -1 },
            ],
            { nowMs: 2 },
          );
        }
        expect(m.schemas).toHaveLength(cols.length + 1);
        expect(m.lastColumnId).toBe(6 + cols.length);
        expect(findFieldByName(currentSchema(m), "id")?.id).toBe(1);
        cols.forEach((c, i) => expect(findFieldByName(currentSchema(m), `c_${c}`)?.id).toBe(7 + i));
      }),
    );
  });
});
