import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import { parseJson, stringifyJson } from "../../src/core/json.ts";
import {
  currentViewVersion,
  viewMetadataFromJson,
  viewMetadataToJson,
} from "../../src/iceberg/view-metadata.ts";
import {
  applyViewUpdates,
  checkViewRequirements,
  VIEW_UPDATE_ACTIONS,
  type ViewUpdate,
  viewRequirementFromJson,
  viewUpdateFromJson,
  viewUpdateToJson,
} from "../../src/iceberg/view-updates.ts";
import { specFixture } from "../support/spec-fixtures.ts";

const view = viewMetadataFromJson(
  parseJson(readFileSync(specFixture("view-metadata/ValidViewMetadata.json"), "utf8")),
);
const u = (json: Record<string, unknown>): ViewUpdate => viewUpdateFromJson(parseJson(stringifyJson(json)));
const version = (sql: string, schemaId = -1) => ({
  "version-id": 99,
  "timestamp-ms": 7000,
  "schema-id": schemaId,
  summary: { engine: "floe" },
  "default-namespace": ["db"],
  representations: [{ type: "sql", sql, dialect: "duckdb" }],
});
const schema = {
  type: "struct",
  "schema-id": 5,
  fields: [{ id: 1, name: "n", required: false, type: "int" }],
};

describe("view updates", () => {
  it("parse and write all 8 actions", () => {
    const examples: Record<string, Record<string, unknown>> = {
      "assign-uuid": { uuid: "fa6506c3-7681-40c8-86dc-e36561f83385" },
      "upgrade-format-version": { "format-version": 1 },
      "add-schema": { schema },
      "set-location": { location: "s3://v" },
      "set-properties": { updates: { a: "b" } },
      "remove-properties": { removals: ["a"] },
      "add-view-version": { "view-version": version("select 1") },
      "set-current-view-version": { "view-version-id": -1 },
    };
    expect(Object.keys(examples).sort()).toEqual([...VIEW_UPDATE_ACTIONS].sort());
    for (const action of VIEW_UPDATE_ACTIONS) {
      const update = u({ action, ...examples[action] });
      expect(viewUpdateFromJson(parseJson(stringifyJson(viewUpdateToJson(update))))).toEqual(update);
    }
    expect(() => u({ action: "add-snapshot" })).toThrow(/unknown action "add-snapshot"/);
    expect(() => u({ action: "add-view-version" })).toThrow(/missing "view-version"/);
  });

  it("create a view from the updates a client sends", () => {
    const m = applyViewUpdates(
      undefined,
      [
        u({ action: "assign-uuid", uuid: "fa6506c3-7681-40c8-86dc-e36561f83385" }),
        u({ action: "add-schema", schema }),
        u({ action: "set-location", location: "s3://wh/v" }),
        u({ action: "add-view-version", "view-version": version("select 1") }),
        u({ action: "set-current-view-version", "view-version-id": -1 }),
      ],
      { nowMs: 9000 },
    );
    expect(m.schemas.map((s) => s.schemaId)).toEqual([0]);
    expect(currentViewVersion(m)).toEqual(expect.objectContaining({ versionId: 1, schemaId: 0 }));
    expect(m.versionLog).toEqual([{ versionId: 1, timestampMs: 7000 }]);
    expect(viewMetadataFromJson(parseJson(stringifyJson(viewMetadataToJson(m))))).toEqual(m);
    expect(() => applyViewUpdates(undefined, [u({ action: "set-location", location: "s3://x" })])).toThrow(
      /current version/,
    );
  });

  it("replace a view's SQL, reuse equal versions, and roll back", () => {
    const replaced = applyViewUpdates(
      view,
      [
        u({ action: "add-view-version", "view-version": version("select 2", 0) }),
        u({ action: "set-current-view-version", "view-version-id": -1 }),
      ],
      { nowMs: 9000 },
    );
    expect(replaced.currentVersionId).toBe(3);
    const same = applyViewUpdates(replaced, [
      u({ action: "add-view-version", "view-version": version("select 2", 0) }),
    ]);
    expect(same.versions).toHaveLength(3);
    const back = applyViewUpdates(
      replaced,
      [u({ action: "set-current-view-version", "view-version-id": 1 })],
      { nowMs: 9500 },
    );
    expect(back.versionLog.at(-1)).toEqual({ versionId: 1, timestampMs: 9500 });
    expect(() =>
      applyViewUpdates(view, [u({ action: "set-current-view-version", "view-version-id": 42 })]),
    ).toThrow(/unknown version 42/);
    expect(() =>
      applyViewUpdates(view, [u({ action: "add-view-version", "view-version": version("x", 8) })]),
    ).toThrow(/unknown schema 8/);
    expect(() =>
      applyViewUpdates(view, [u({ action: "add-view-version", "view-version": version("x") })]),
    ).toThrow(/no schema was added/);
    expect(() =>
      applyViewUpdates(view, [u({ action: "upgrade-format-version", "format-version": 2 })]),
    ).toThrow(/v2/);
    expect(() =>
      applyViewUpdates(view, [u({ action: "assign-uuid", uuid: "00000000-0000-0000-0000-000000000000" })]),
    ).toThrow(/reassign/);
    const props = applyViewUpdates(view, [
      u({ action: "set-properties", updates: { x: "1" } }),
      u({ action: "remove-properties", removals: ["comment"] }),
    ]);
    expect(props.properties).toEqual({ "some-key": "some-value", x: "1" });
  });

  it("check assert-view-uuid", () => {
    const r = viewRequirementFromJson({
      type: "assert-view-uuid",
      uuid: "FA6506C3-7681-40C8-86DC-E36561F83385",
    });
    checkViewRequirements(view, [r]);
    let err: unknown;
    try {
      checkViewRequirements(view, [viewRequirementFromJson({ type: "assert-view-uuid", uuid: "x" })]);
    } catch (e) {
      err = e;
    }
    expect(isFloeError(err, "COMMIT_CONFLICT")).toBe(true);
    expect((err as Error).message).toMatch(/expected x, found fa6506c3/);
    expect(() => checkViewRequirements(undefined, [r])).toThrow(/the view does not exist/);
    expect(() => viewRequirementFromJson({ type: "assert-table-uuid" })).toThrow(/expected assert-view-uuid/);
  });
});
