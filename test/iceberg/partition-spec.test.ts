import { describe, expect, it } from "vitest";
import {
  assignFreshSpecIds,
  isUnpartitioned,
  lastPartitionId,
  type PartitionSpec,
  partitionFieldsFromJson,
  partitionSpecFromJson,
  partitionSpecToJson,
  partitionType,
  sameSpecFields,
  UNPARTITIONED,
  validatePartitionSpec,
} from "../../src/iceberg/partition-spec.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import {
  canTransform,
  IDENTITY,
  parseTransform,
  preservesOrder,
  resultType,
  transformsEqual,
  transformToString,
  VOID,
} from "../../src/iceberg/transforms.ts";
import { parsePrimitive } from "../../src/iceberg/types.ts";

const schema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "ts", required: false, type: "timestamptz" },
    { id: 3, name: "d", required: false, type: "date" },
    { id: 4, name: "s", required: false, type: "string" },
    { id: 5, name: "f", required: false, type: "double" },
  ],
});

const specJson = {
  "spec-id": 2,
  fields: [
    { name: "ts_day", transform: "day", "source-id": 2, "field-id": 1000 },
    { name: "id_bucket", transform: "bucket[16]", "source-id": 1, "field-id": 1001 },
    { name: "s_trunc", transform: "truncate[4]", "source-id": 4, "field-id": 1002 },
  ],
};

describe("transforms", () => {
  it("parses and prints every transform", () => {
    for (const s of ["identity", "bucket[16]", "truncate[10]", "year", "month", "day", "hour", "void"])
      expect(transformToString(parseTransform(s))).toBe(s);
    expect(parseTransform("zorder")).toEqual({ kind: "unknown", name: "zorder" });
    expect(() => parseTransform("bucket[0]")).toThrow(/bucket/);
    expect(() => parseTransform("bucket")).toThrow(/bucket\[N\]/);
    expect(transformsEqual(IDENTITY, parseTransform("IDENTITY"))).toBe(true);
  });

  it("knows which source types each transform accepts and what it yields", () => {
    const t = parsePrimitive;
    expect(canTransform(parseTransform("hour"), t("date"))).toBe(false);
    expect(canTransform(parseTransform("day"), t("date"))).toBe(true);
    expect(canTransform(parseTransform("bucket[2]"), t("double"))).toBe(false);
    expect(canTransform(parseTransform("bucket[2]"), t("uuid"))).toBe(true);
    expect(canTransform(parseTransform("truncate[2]"), t("uuid"))).toBe(false);
    expect(canTransform(IDENTITY, t("variant"))).toBe(false);
    expect(canTransform(VOID, t("variant"))).toBe(true);
    expect(resultType(parseTransform("day"), t("timestamp"))).toEqual(t("date"));
    expect(resultType(parseTransform("bucket[3]"), t("string"))).toEqual(t("int"));
    expect(resultType(parseTransform("truncate[3]"), t("string"))).toEqual(t("string"));
    expect(preservesOrder(parseTransform("bucket[3]"))).toBe(false);
    expect(preservesOrder(parseTransform("month"))).toBe(true);
  });
});

describe("partition specs", () => {
  it("round-trip JSON and give their partition type", () => {
    const spec = partitionSpecFromJson(specJson);
    expect(partitionSpecToJson(spec)).toEqual(specJson);
    validatePartitionSpec(spec, schema);
    expect(partitionType(spec, schema).fields.map((f) => [f.id, f.name, f.type])).toEqual([
      [1000, "ts_day", { type: "date" }],
      [1001, "id_bucket", { type: "int" }],
      [1002, "s_trunc", { type: "string" }],
    ]);
    expect(lastPartitionId([UNPARTITIONED, spec])).toBe(1002);
    expect(lastPartitionId([UNPARTITIONED])).toBe(999);
    expect(isUnpartitioned(spec)).toBe(false);
    expect(isUnpartitioned(UNPARTITIONED)).toBe(true);
  });

  it("gives v1 fields ids by position", () => {
    const fields = partitionFieldsFromJson([
      { name: "a", transform: "identity", "source-id": 1 },
      { name: "b", transform: "identity", "source-id": 4 },
    ]);
    expect(fields.map((f) => f.fieldId)).toEqual([1000, 1001]);
  });

  it("reads v3 multi-argument fields", () => {
    const spec = partitionSpecFromJson({
      "spec-id": 0,
      fields: [{ name: "x", transform: "bucket[4]", "source-ids": [1, 4], "field-id": 1000 }],
    });
    expect(spec.fields[0]?.sourceIds).toEqual([1, 4]);
    expect(partitionSpecToJson(spec).fields).toEqual([
      { name: "x", transform: "bucket[4]", "source-ids": [1, 4], "field-id": 1000 },
    ]);
  });

  it("rejects invalid specs naming the problem", () => {
    const bad = (fields: unknown[]) => () =>
      validatePartitionSpec(partitionSpecFromJson({ "spec-id": 1, fields }), schema);
    expect(bad([{ name: "x", transform: "hour", "source-id": 3, "field-id": 1000 }])).toThrow(
      /hour cannot be applied to d/,
    );
    expect(bad([{ name: "x", transform: "identity", "source-id": 9, "field-id": 1000 }])).toThrow(
      /source field 9 not found/,
    );
    expect(
      bad([
        { name: "x", transform: "identity", "source-id": 1, "field-id": 1000 },
        { name: "x", transform: "identity", "source-id": 4, "field-id": 1001 },
      ]),
    ).toThrow(/duplicate name/);
    expect(
      bad([
        { name: "x", transform: "identity", "source-id": 1, "field-id": 1000 },
        { name: "y", transform: "identity", "source-id": 1, "field-id": 1001 },
      ]),
    ).toThrow(/same source and transform/);
    expect(bad([{ name: "s", transform: "bucket[2]", "source-id": 1, "field-id": 1000 }])).toThrow(
      /conflicts with schema column s/,
    );
    expect(bad([{ name: "id", transform: "identity", "source-id": 1, "field-id": 1000 }])).not.toThrow();
    expect(() => partitionSpecFromJson({ fields: [] })).toThrow(/spec-id/);
    expect(() => partitionSpecFromJson({ "spec-id": 0, fields: [{ name: "a", transform: "day" }] })).toThrow(
      /source-id/,
    );
  });

  it("rebinds a spec to fresh ids", () => {
    const spec: PartitionSpec = partitionSpecFromJson(specJson);
    const fresh = assignFreshSpecIds(spec, schema, schema, 1005);
    expect(fresh.specId).toBe(0);
    expect(fresh.fields.map((f) => f.fieldId)).toEqual([1006, 1007, 1008]);
    expect(sameSpecFields(spec, { ...spec, specId: 9 })).toBe(true);
    expect(sameSpecFields(spec, fresh)).toBe(false);
  });
});
