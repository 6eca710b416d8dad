import { describe, expect, it } from "vitest";
import { parseJson, stringifyJson } from "../../src/core/json.ts";
import {
  TABLE_UPDATE_ACTIONS,
  type TableUpdate,
  tableUpdateFromJson,
  tableUpdatesFromJson,
  tableUpdateToJson,
} from "../../src/iceberg/updates.ts";

const schema = {
  type: "struct",
  "schema-id": 1,
  fields: [{ id: 1, name: "id", required: true, type: "long" }],
};
const snapshot = {
  "snapshot-id": 3055729675574597004n,
  "parent-snapshot-id": 3051729675574597004n,
  "timestamp-ms": 1555100955770,
  "sequence-number": 1,
  summary: { operation: "append", "added-data-files": "1" },
  "manifest-list": "s3://a/b/2.avro",
  "schema-id": 1,
};
const statistics = {
  "snapshot-id": 3055729675574597004n,
  "statistics-path": "s3://a/b/stats.puffin",
  "file-size-in-bytes": 413,
  "file-footer-size-in-bytes": 42,
  "blob-metadata": [{ type: "ndv", "snapshot-id": 3055729675574597004n, "sequence-number": 1, fields: [1] }],
};

/** One wire example of every action of the REST spec. */
const EXAMPLES: Record<TableUpdate["action"], Record<string, unknown>> = {
  "assign-uuid": { uuid: "9c12d441-03fe-4693-9a96-a0705ddf69c1" },
  "upgrade-format-version": { "format-version": 2 },
  "add-schema": { schema, "last-column-id": 1 },
  "set-current-schema": { "schema-id": -1 },
  "add-spec": {
    spec: { "spec-id": 0, fields: [{ name: "id_bucket", transform: "bucket[16]", "source-id": 1 }] },
  },
  "set-default-spec": { "spec-id": -1 },
  "add-sort-order": {
    "sort-order": {
      "order-id": 1,
      fields: [{ transform: "identity", "source-id": 1, direction: "asc", "null-order": "nulls-first" }],
    },
  },
  "set-default-sort-order": { "sort-order-id": -1 },
  "add-snapshot": { snapshot },
  "set-snapshot-ref": {
    "ref-name": "main",
    "snapshot-id": 3055729675574597004n,
    type: "branch",
    "max-ref-age-ms": 5,
  },
  "remove-snapshots": { "snapshot-ids": [1, 3051729675574597004n] },
  "remove-snapshot-ref": { "ref-name": "tag1" },
  "set-location": { location: "s3://bucket/t" },
  "set-properties": { updates: { "write.format.default": "parquet" } },
  "remove-properties": { removals: ["a", "b"] },
  "set-statistics": { statistics },
  "remove-statistics": { "snapshot-id": 3055729675574597004n },
  "set-partition-statistics": {
    "partition-statistics": {
      "snapshot-id": 7,
      "statistics-path": "s3://p.parquet",
      "file-size-in-bytes": 43,
    },
  },
  "remove-partition-statistics": { "snapshot-id": 7 },
  "remove-partition-specs": { "spec-ids": [1, 2] },
  "remove-schemas": { "schema-ids": [0] },
  "add-encryption-key": {
    "encryption-key": { "key-id": "k1", "encrypted-key-metadata": "AAEC", "encrypted-by-id": "m" },
  },
  "remove-encryption-key": { "key-id": "k1" },
};

describe("table updates", () => {
  it("are the REST spec's 23 actions", () => {
    expect(TABLE_UPDATE_ACTIONS).toHaveLength(23);
    expect(Object.keys(EXAMPLES).sort()).toEqual([...TABLE_UPDATE_ACTIONS].sort());
  });

  for (const action of TABLE_UPDATE_ACTIONS)
    it(`${action} round-trips its wire form`, () => {
      const json = parseJson(stringifyJson({ action, ...EXAMPLES[action] }));
      const update = tableUpdateFromJson(json);
      expect(update.action).toBe(action);
      const written = parseJson(stringifyJson(tableUpdateToJson(update)));
      expect(tableUpdateFromJson(written)).toEqual(update);
    });

  it("keep 64-bit ids exact and model fields typed", () => {
    const [ref, rm, add] = tableUpdatesFromJson(
      parseJson(
        stringifyJson([
          { action: "set-snapshot-ref", ...EXAMPLES["set-snapshot-ref"] },
          { action: "remove-snapshots", ...EXAMPLES["remove-snapshots"] },
          { action: "add-spec", ...EXAMPLES["add-spec"] },
        ]),
      ),
    );
    expect(ref).toEqual({
      action: "set-snapshot-ref",
      refName: "main",
      ref: { snapshotId: 3055729675574597004n, type: "branch", maxRefAgeMs: 5 },
    });
    expect(rm).toEqual({ action: "remove-snapshots", snapshotIds: [1n, 3051729675574597004n] });
    expect(add).toEqual({
      action: "add-spec",
      spec: {
        specId: 0,
        fields: [{ name: "id_bucket", transform: { kind: "bucket", numBuckets: 16 }, sourceId: 1 }],
      },
    });
  });

  it("reject bad input with a message naming the action and field", () => {
    const bad = (json: unknown) => () => tableUpdateFromJson(json);
    expect(bad({ action: "explode" })).toThrow(/unknown action "explode"; expected one of assign-uuid/);
    expect(bad({})).toThrow(/unknown action nothing/);
    expect(bad({ action: "add-schema" })).toThrow(/update add-schema: missing "schema"/);
    expect(bad({ action: "set-current-schema", "schema-id": "1" })).toThrow(
      /"schema-id" must be an integer, got "1"/,
    );
    expect(bad({ action: "set-snapshot-ref", "ref-name": "b", "snapshot-id": 1, type: "twig" })).toThrow(
      /"type" must be "branch" or "tag"/,
    );
    expect(bad({ action: "remove-snapshots", "snapshot-ids": ["x"] })).toThrow(
      /"snapshot-ids" must hold integers, got "x"/,
    );
    expect(bad({ action: "set-properties", updates: { a: 1 } })).toThrow(
      /"updates" must be an object of strings/,
    );
    expect(bad({ action: "add-snapshot", snapshot: { ...snapshot, summary: undefined } })).toThrow(
      /missing "summary"/,
    );
    expect(
      bad({ action: "add-snapshot", snapshot: { ...snapshot, summary: { operation: "merge" } } }),
    ).toThrow(/"operation" must be one of append/);
    expect(bad({ action: "set-statistics", "snapshot-id": 1, statistics })).toThrow(
      /differs from the statistics' snapshot-id/,
    );
    expect(() => tableUpdatesFromJson({})).toThrow(/expected a list/);
  });
});
