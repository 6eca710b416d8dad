import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import { parseJson, stringifyJson } from "../../src/core/json.ts";
import {
  checkRequirements,
  TABLE_REQUIREMENT_TYPES,
  type TableRequirement,
  tableRequirementFromJson,
  tableRequirementsFromJson,
  tableRequirementToJson,
} from "../../src/iceberg/requirements.ts";
import { tableMetadataFromJson } from "../../src/iceberg/table-metadata.ts";
import { specFixture } from "../support/spec-fixtures.ts";

const meta = tableMetadataFromJson(
  parseJson(readFileSync(specFixture("table-metadata/TableMetadataV2Valid.json"), "utf8")),
);

const req = (json: Record<string, unknown>): TableRequirement =>
  tableRequirementFromJson(parseJson(stringifyJson(json)));

/** For each type: a requirement that holds on the fixture, and one that does not with the message expected. */
const CASES: Array<[Record<string, unknown>, Record<string, unknown>, RegExp]> = [
  [
    { type: "assert-create" },
    { type: "assert-create" },
    /^Requirement failed: table already exists \(assert-create\)$/,
  ],
  [
    { type: "assert-table-uuid", uuid: "9C12D441-03FE-4693-9A96-A0705DDF69C1" },
    { type: "assert-table-uuid", uuid: "00000000-0000-0000-0000-000000000000" },
    /^Requirement failed: UUID does not match: expected 0{8}-.*, found 9c12d441/,
  ],
  [
    { type: "assert-ref-snapshot-id", ref: "main", "snapshot-id": 3055729675574597004n },
    { type: "assert-ref-snapshot-id", ref: "main", "snapshot-id": 3051729675574597004n },
    /^Requirement failed: branch main has changed: expected snapshot 3051729675574597004, found 3055729675574597004/,
  ],
  [
    { type: "assert-ref-snapshot-id", ref: "dev", "snapshot-id": null },
    { type: "assert-ref-snapshot-id", ref: "main", "snapshot-id": null },
    /^Requirement failed: branch main was created concurrently \(now at snapshot 3055729675574597004\)/,
  ],
  [
    { type: "assert-last-assigned-field-id", "last-assigned-field-id": 3 },
    { type: "assert-last-assigned-field-id", "last-assigned-field-id": 2 },
    /^Requirement failed: last assigned field id changed: expected id 2, found 3/,
  ],
  [
    { type: "assert-current-schema-id", "current-schema-id": 1 },
    { type: "assert-current-schema-id", "current-schema-id": 0 },
    /^Requirement failed: current schema changed: expected id 0, found 1/,
  ],
  [
    { type: "assert-last-assigned-partition-id", "last-assigned-partition-id": 1000 },
    { type: "assert-last-assigned-partition-id", "last-assigned-partition-id": 999 },
    /^Requirement failed: last assigned partition id changed: expected id 999, found 1000/,
  ],
  [
    { type: "assert-default-spec-id", "default-spec-id": 0 },
    { type: "assert-default-spec-id", "default-spec-id": 1 },
    /^Requirement failed: default partition spec changed: expected id 1, found 0/,
  ],
  [
    { type: "assert-default-sort-order-id", "default-sort-order-id": 3 },
    { type: "assert-default-sort-order-id", "default-sort-order-id": 0 },
    /^Requirement failed: default sort order changed: expected id 0, found 3/,
  ],
];

describe("table requirements", () => {
  it("are the REST spec's 8 types", () => {
    expect(TABLE_REQUIREMENT_TYPES).toHaveLength(8);
    expect(new Set(CASES.map(([, r]) => r.type)).size).toBe(8);
  });

  for (const [holds, fails, message] of CASES)
    it(`${String(fails.type)}: passes when it holds, 409 naming the actual value when not`, () => {
      if (holds.type === "assert-create") checkRequirements(undefined, [req(holds)]);
      else checkRequirements(meta, [req(holds)]);
      let err: unknown;
      try {
        checkRequirements(meta, [req(fails)]);
      } catch (e) {
        err = e;
      }
      expect(isFloeError(err, "COMMIT_CONFLICT")).toBe(true);
      expect((err as Error).message).toMatch(/^Requirement failed: /);
      expect((err as Error).message).toMatch(message);
      expect(tableRequirementFromJson(parseJson(stringifyJson(tableRequirementToJson(req(fails)))))).toEqual(
        req(fails),
      );
    });

  it("fail on a missing table, and on a missing ref", () => {
    expect(() => checkRequirements(undefined, [req(CASES[4]![0])])).toThrow(
      /^Requirement failed: table does not exist/,
    );
    expect(() =>
      checkRequirements(meta, [req({ type: "assert-ref-snapshot-id", ref: "dev", "snapshot-id": 1 })]),
    ).toThrow(/branch or tag dev is missing, expected snapshot 1/);
  });

  it("reject bad input naming the field", () => {
    expect(() => tableRequirementFromJson({ type: "assert-nothing" })).toThrow(
      /unknown type "assert-nothing"/,
    );
    expect(() => tableRequirementFromJson({ type: "assert-ref-snapshot-id", ref: "main" })).toThrow(
      /missing "snapshot-id"/,
    );
    expect(() => tableRequirementFromJson({ type: "assert-current-schema-id" })).toThrow(
      /requirement assert-current-schema-id: missing "current-schema-id"/,
    );
    expect(() => tableRequirementsFromJson(null)).toThrow(/expected a list/);
    expect(tableRequirementsFromJson([{ type: "assert-create" }])).toEqual([{ type: "assert-create" }]);
  });
});
