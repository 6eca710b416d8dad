import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type IcebergType,
  canPromote,
  decimal,
  fixed,
  isPrimitive,
  parsePrimitive,
  primitive,
  primitiveToString,
  SIMPLE_PRIMITIVES,
  typeFromJson,
  typesEqual,
  typeToJson,
} from "../../src/iceberg/types.ts";

describe("type JSON", () => {
  it("reads and writes every primitive string", () => {
    for (const name of SIMPLE_PRIMITIVES) expect(typeToJson(typeFromJson(name))).toBe(name);
    expect(parsePrimitive("decimal(9,2)")).toEqual(decimal(9, 2));
    expect(parsePrimitive("decimal( 9 , 2 )")).toEqual(decimal(9, 2));
    expect(parsePrimitive("fixed[16]")).toEqual(fixed(16));
    expect(primitiveToString(decimal(38, 10))).toBe("decimal(38,10)");
    expect(primitiveToString(fixed(3))).toBe("fixed[3]");
    expect(parsePrimitive("geometry")).toEqual({ type: "geometry" });
    expect(parsePrimitive("geometry(srid:4326)")).toEqual({ type: "geometry", crs: "srid:4326" });
    expect(parsePrimitive("geography(srid:4326, karney)")).toEqual({
      type: "geography",
      crs: "srid:4326",
      algorithm: "karney",
    });
    expect(primitiveToString(parsePrimitive("geography(srid:4326, karney)"))).toBe(
      "geography(srid:4326, karney)",
    );
  });

  it("rejects bad primitives naming them", () => {
    expect(() => parsePrimitive("decimal(39,2)")).toThrow(/precision/);
    expect(() => parsePrimitive("decimal(2,3)")).toThrow(/scale/);
    expect(() => parsePrimitive("fixed[0]")).toThrow(/Fixed/);
    expect(() => parsePrimitive("varchar")).toThrow(/Unknown Iceberg type: "varchar"/);
  });

  it("reads nested types with their ids", () => {
    const json = {
      type: "struct",
      fields: [
        {
          id: 1,
          name: "tags",
          required: false,
          type: { type: "list", "element-id": 2, element: "string", "element-required": true },
        },
        {
          id: 3,
          name: "attrs",
          required: true,
          doc: "attributes",
          type: {
            type: "map",
            "key-id": 4,
            key: "string",
            "value-id": 5,
            value: "decimal(9,2)",
            "value-required": false,
          },
        },
        { id: 6, name: "n", required: false, type: "long", "initial-default": 1, "write-default": 2 },
      ],
    };
    const t = typeFromJson(json);
    expect(t.type).toBe("struct");
    expect(typeToJson(t)).toEqual(json);
    expect(isPrimitive(t)).toBe(false);
  });

  it("names the missing key of a nested type", () => {
    expect(() => typeFromJson({ type: "list", element: "int", "element-required": true })).toThrow(
      /element-id/,
    );
    expect(() => typeFromJson({ type: "struct", fields: [{ id: 1, name: "a", type: "int" }] })).toThrow(
      /required/,
    );
    expect(() => typeFromJson({ type: "union" })).toThrow(/union/);
  });

  it("round-trips generated types", () => {
    const prim = fc.oneof(
      fc.constantFrom(...SIMPLE_PRIMITIVES).map(primitive),
      fc
        .tuple(fc.integer({ min: 1, max: 38 }), fc.integer({ min: 0, max: 38 }))
        .filter(([p, s]) => s <= p)
        .map(([p, s]) => decimal(p, s)),
      fc.integer({ min: 1, max: 100 }).map(fixed),
    );
    const type: fc.Arbitrary<IcebergType> = fc.letrec<{ t: IcebergType }>((tie) => ({
      t: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        prim,
        fc.record({
          type: fc.constant("list" as const),
          elementId: fc.nat(),
          elementRequired: fc.boolean(),
          element: tie("t"),
        }),
        fc.record({
          type: fc.constant("struct" as const),
          fields: fc.array(
            fc.record({ id: fc.nat(), name: fc.string(), required: fc.boolean(), type: tie("t") }),
            { maxLength: 3 },
          ),
        }),
      ),
    })).t;
    fc.assert(
      fc.property(type, (t) => typesEqual(typeFromJson(JSON.parse(JSON.stringify(typeToJson(t)))), t)),
    );
  });
});

describe("canPromote", () => {
  const p = parsePrimitive;
  it("allows the spec's promotions only", () => {
    expect(canPromote(p("int"), p("long"))).toBe(true);
    expect(canPromote(p("float"), p("double"))).toBe(true);
    expect(canPromote(p("decimal(9,2)"), p("decimal(18,2)"))).toBe(true);
    expect(canPromote(p("decimal(9,2)"), p("decimal(18,3)"))).toBe(false);
    expect(canPromote(p("decimal(18,2)"), p("decimal(9,2)"))).toBe(false);
    expect(canPromote(p("long"), p("int"))).toBe(false);
    expect(canPromote(p("int"), p("double"))).toBe(false);
    expect(canPromote(p("string"), p("string"))).toBe(true);
    expect(canPromote(p("date"), p("timestamp"))).toBe(false);
    expect(canPromote(p("date"), p("timestamp"), 3)).toBe(true);
    expect(canPromote(p("date"), p("timestamp_ns"), 3)).toBe(true);
    expect(canPromote(p("date"), p("timestamptz"), 3)).toBe(false);
    expect(canPromote(p("unknown"), p("string"), 3)).toBe(true);
    expect(canPromote(p("int"), { type: "struct", fields: [] })).toBe(false);
  });
});
