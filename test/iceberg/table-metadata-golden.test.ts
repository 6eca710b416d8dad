import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJson, stringifyJson } from "../../src/core/json.ts";
import { newTableMetadata } from "../../src/iceberg/create-table.ts";
import { fieldName } from "../../src/iceberg/schema.ts";
import {
  currentSchema,
  defaultSortOrder,
  defaultSpec,
  tableMetadataFromJson,
  tableMetadataToJson,
} from "../../src/iceberg/table-metadata.ts";
import { transformToString } from "../../src/iceberg/transforms.ts";
import { primitiveToString } from "../../src/iceberg/types.ts";

/** Table metadata written by pyiceberg 0.12 (metadata.py beside the files). */
const load = (v: number) =>
  parseJson(
    readFileSync(new URL(`../fixtures/iceberg/pyiceberg/metadata-v${v}.json`, import.meta.url), "utf8"),
  );

describe("table metadata written by pyiceberg", () => {
  for (const v of [1, 2])
    it(`reads v${v} and round-trips it`, () => {
      const m = tableMetadataFromJson(load(v));
      expect(m.formatVersion).toBe(v);
      const schema = currentSchema(m);
      expect(schema.identifierFieldIds).toEqual([1, 18]);
      expect(fieldName(schema, 18)).toBe("loc.zone");
      expect(fieldName(schema, 16)).toBe("attrs.value");
      const amount = schema.fields.find((f) => f.name === "amount");
      expect(amount?.doc).toBe("money");
      expect(amount && primitiveToString(amount.type as never)).toBe("decimal(12,3)");
      expect(defaultSpec(m).fields.map((f) => transformToString(f.transform))).toEqual([
        "day",
        "bucket[16]",
        "truncate[4]",
        "year",
        "hour",
        "month",
        "identity",
        "void",
      ]);
      expect(m.lastPartitionId).toBe(1007);
      expect(defaultSortOrder(m).fields.map((f) => [f.direction, f.nullOrder])).toEqual([
        ["desc", "nulls-last"],
        ["asc", "nulls-first"],
      ]);
      expect(m.properties).toEqual({ owner: "py" });
      expect(tableMetadataFromJson(parseJson(stringifyJson(tableMetadataToJson(m))))).toEqual(m);
      // pyiceberg assigned fresh ids as Java does; floe's create-table assigns the same ones.
      const fresh = newTableMetadata({
        schema,
        spec: defaultSpec(m),
        sortOrder: defaultSortOrder(m),
        location: m.location,
      });
      expect(currentSchema(fresh)).toEqual({ ...schema, schemaId: 0 });
      expect(defaultSpec(fresh)).toEqual(defaultSpec(m));
      expect(defaultSortOrder(fresh)).toEqual(defaultSortOrder(m));
    });
});
