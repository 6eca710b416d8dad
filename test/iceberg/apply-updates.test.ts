import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJson, stringifyJson } from "../../src/core/json.ts";
import { addPreviousMetadataFile, applyUpdates } from "../../src/iceberg/apply-updates.ts";
import {
  currentSchema,
  defaultSpec,
  type TableMetadata,
  tableMetadataFromJson,
  tableMetadataToJson,
} from "../../src/iceberg/table-metadata.ts";
import { type TableUpdate, tableUpdateFromJson } from "../../src/iceberg/updates.ts";
import { specFixture } from "../support/spec-fixtures.ts";

const fixture = (name: string): TableMetadata =>
  tableMetadataFromJson(parseJson(readFileSync(specFixture(`table-metadata/${name}`), "utf8")));
const v2 = fixture("TableMetadataV2Valid.json");
const v1 = fixture("TableMetadataV1Valid.json");
const NOW = 1_700_000_000_000;

const u = (json: Record<string, unknown>): TableUpdate => tableUpdateFromJson(parseJson(stringifyJson(json)));
const apply = (m: TableMetadata | undefined, ...updates: Record<string, unknown>[]) =>
  applyUpdates(m, updates.map(u), { nowMs: NOW, newTableUuid: "00000000-0000-4000-8000-000000000001" });

const schemaJson = (id: number, fields: Array<[number, string, string]>) => ({
  type: "struct",
  "schema-id": id,
  fields: fields.map(([fid, name, type]) => ({ id: fid, name, required: false, type })),
});
const snap = (id: bigint, seq: number, parent?: bigint, ts = NOW - 10) => ({
  "snapshot-id": id,
  ...(parent === undefined ? {} : { "parent-snapshot-id": parent }),
  "timestamp-ms": ts,
  "sequence-number": seq,
  summary: { operation: "append" },
  "manifest-list": `s3://t/metadata/snap-${id}.avro`,
  "schema-id": 1,
});

describe("applyUpdates: create transaction", () => {
  it("builds a new table from the updates a REST client sends", () => {
    const m = apply(
      undefined,
      { action: "assign-uuid", uuid: "9c12d441-03fe-4693-9a96-a0705ddf69c1" },
      { action: "upgrade-format-version", "format-version": 2 },
      {
        action: "add-schema",
        schema: schemaJson(0, [
          [1, "id", "long"],
          [2, "ts", "timestamptz"],
        ]),
      },
      { action: "set-current-schema", "schema-id": -1 },
      { action: "add-spec", spec: { fields: [{ name: "ts_day", transform: "day", "source-id": 2 }] } },
      { action: "set-default-spec", "spec-id": -1 },
      {
        action: "add-sort-order",
        "sort-order": {
          "order-id": 1,
          fields: [{ transform: "identity", "source-id": 1, direction: "asc", "null-order": "nulls-first" }],
        },
      },
      { action: "set-default-sort-order", "sort-order-id": -1 },
      { action: "set-location", location: "s3://b/t" },
      { action: "set-properties", updates: { owner: "floe" } },
    );
    expect(m.tableUuid).toBe("9c12d441-03fe-4693-9a96-a0705ddf69c1");
    expect(m.lastColumnId).toBe(2);
    expect(m.currentSchemaId).toBe(0);
    expect(defaultSpec(m)).toEqual({
      specId: 0,
      fields: [expect.objectContaining({ fieldId: 1000, name: "ts_day" })],
    });
    expect(m.lastPartitionId).toBe(1000);
    expect(m.defaultSortOrderId).toBe(1);
    expect(m.lastUpdatedMs).toBe(NOW);
    expect(tableMetadataFromJson(parseJson(stringifyJson(tableMetadataToJson(m))))).toEqual(m);
  });

  it("fills an unpartitioned spec and unsorted order, a fresh uuid, and needs a location and schema", () => {
    const m = apply(
      undefined,
      { action: "add-schema", schema: schemaJson(0, [[1, "a", "int"]]) },
      { action: "set-location", location: "s3://x" },
    );
    expect(m.tableUuid).toBe("00000000-0000-4000-8000-000000000001");
    expect(m.partitionSpecs).toEqual([{ specId: 0, fields: [] }]);
    expect(m.sortOrders).toEqual([{ orderId: 0, fields: [] }]);
    expect(() => apply(undefined, { action: "set-location", location: "s3://x" })).toThrow(
      /without a schema/,
    );
    expect(() =>
      apply(undefined, { action: "add-schema", schema: schemaJson(0, [[1, "a", "int"]]) }),
    ).toThrow(/without a location/);
  });

  it("starts a new table at the format version it names, v1 included", () => {
    const create = (version: number) =>
      apply(
        undefined,
        { action: "upgrade-format-version", "format-version": version },
        { action: "add-schema", schema: schemaJson(0, [[1, "a", "int"]]) },
        { action: "set-location", location: "s3://x" },
      );
    expect(create(1).formatVersion).toBe(1);
    expect(create(2).formatVersion).toBe(2);
    expect(create(3).formatVersion).toBe(3);
  });
});

describe("applyUpdates: each update", () => {
  it("assign-uuid keeps the same uuid and refuses another", () => {
    expect(apply(v2, { action: "assign-uuid", uuid: v2.tableUuid }).tableUuid).toBe(v2.tableUuid);
    expect(() => apply(v2, { action: "assign-uuid", uuid: "00000000-0000-0000-0000-000000000000" })).toThrow(
      /Cannot reassign/,
    );
  });

  it("upgrade-format-version upgrades, never downgrades", () => {
    const up = apply(v1, { action: "upgrade-format-version", "format-version": 2 });
    expect(up.formatVersion).toBe(2);
    expect(tableMetadataToJson(up)["last-sequence-number"]).toBe(0);
    expect(apply(v2, { action: "upgrade-format-version", "format-version": 3 }).nextRowId).toBe(0n);
    expect(() => apply(v2, { action: "upgrade-format-version", "format-version": 1 })).toThrow(
      /Cannot downgrade/,
    );
    expect(() => apply(v2, { action: "upgrade-format-version", "format-version": 4 })).toThrow(
      /unsupported format version v4/,
    );
    expect(v1.formatVersion).toBe(1);
  });

  it("add-schema assigns the next id, raises last-column-id, reuses an equal schema", () => {
    const m = apply(v2, {
      action: "add-schema",
      schema: schemaJson(0, [
        [1, "x", "long"],
        [4, "w", "string"],
      ]),
    });
    expect(m.schemas.map((s) => s.schemaId)).toEqual([0, 1, 2]);
    expect(m.lastColumnId).toBe(4);
    expect(m.currentSchemaId).toBe(1);
    const again = apply(m, {
      action: "add-schema",
      schema: schemaJson(7, [
        [1, "x", "long"],
        [4, "w", "string"],
      ]),
    });
    expect(again.schemas).toHaveLength(3);
    // a dropped column: the client sends the schema's highest id (deprecated field); the table's stays
    const dropped = apply(v2, {
      action: "add-schema",
      schema: schemaJson(0, [[1, "x", "long"]]),
      "last-column-id": 1,
    });
    expect(dropped.lastColumnId).toBe(3);
    expect(dropped.schemas).toHaveLength(3);
    expect(() =>
      apply(v2, { action: "add-schema", schema: schemaJson(0, [[1, "x", "timestamp_ns"]]) }),
    ).toThrow(/needs format v3/);
  });

  it("set-current-schema takes an id or -1 for the last added", () => {
    expect(apply(v2, { action: "set-current-schema", "schema-id": 0 }).currentSchemaId).toBe(0);
    expect(() => apply(v2, { action: "set-current-schema", "schema-id": 9 })).toThrow(/unknown schema 9/);
    expect(() => apply(v2, { action: "set-current-schema", "schema-id": -1 })).toThrow(/no schema was added/);
  });

  it("add-spec assigns field ids after last-partition-id and reuses equal fields", () => {
    const m = apply(
      v2,
      {
        action: "add-spec",
        spec: {
          fields: [
            { name: "x", transform: "identity", "source-id": 1 },
            { name: "y_b", transform: "bucket[8]", "source-id": 2 },
          ],
        },
      },
      { action: "set-default-spec", "spec-id": -1 },
    );
    expect(defaultSpec(m)).toEqual({
      specId: 1,
      fields: [
        expect.objectContaining({ fieldId: 1000 }),
        expect.objectContaining({ fieldId: 1001, name: "y_b" }),
      ],
    });
    expect(m.lastPartitionId).toBe(1001);
    expect(() =>
      apply(v2, { action: "add-spec", spec: { fields: [{ name: "q", transform: "hour", "source-id": 1 }] } }),
    ).toThrow(/hour cannot be applied to x/);
    const same = apply(v2, {
      action: "add-spec",
      spec: { fields: [{ name: "x", transform: "identity", "source-id": 1, "field-id": 1000 }] },
    });
    expect(same.partitionSpecs).toHaveLength(1);
  });

  it("add-spec on a v1 table numbers fields from 1000 by position", () => {
    const m = apply(v1, {
      action: "add-spec",
      spec: { fields: [{ name: "y", transform: "identity", "source-id": 2 }] },
    });
    expect(m.partitionSpecs[1]?.fields[0]?.fieldId).toBe(1000);
    expect(() =>
      apply(v1, {
        action: "add-spec",
        spec: { fields: [{ name: "y", transform: "identity", "source-id": 2, "field-id": 1005 }] },
      }),
    ).toThrow(/must have id 1000/);
  });

  it("set-default-spec and set-default-sort-order need known ids", () => {
    expect(() => apply(v2, { action: "set-default-spec", "spec-id": 4 })).toThrow(/unknown spec 4/);
    expect(() => apply(v2, { action: "set-default-sort-order", "sort-order-id": 4 })).toThrow(
      /unknown sort order 4/,
    );
    expect(() => apply(v2, { action: "set-default-sort-order", "sort-order-id": -1 })).toThrow(
      /no sort order was added/,
    );
  });

  it("add-sort-order gives the next id, 0 to the unsorted order", () => {
    const field = { transform: "identity", "source-id": 1, direction: "desc", "null-order": "nulls-last" };
    const m = apply(
      v2,
      { action: "add-sort-order", "sort-order": { "order-id": 0, fields: [field] } },
      { action: "set-default-sort-order", "sort-order-id": -1 },
    );
    expect(m.defaultSortOrderId).toBe(4);
    const unsorted = apply(
      v2,
      { action: "add-sort-order", "sort-order": { "order-id": 5, fields: [] } },
      { action: "set-default-sort-order", "sort-order-id": -1 },
    );
    expect(unsorted.defaultSortOrderId).toBe(0);
  });

  it("add-snapshot with set-snapshot-ref main commits: sequence number, snapshot log, last-updated-ms", () => {
    const m = apply(
      v2,
      { action: "add-snapshot", snapshot: snap(5n, 35, 3055729675574597004n) },
      { action: "set-snapshot-ref", "ref-name": "main", "snapshot-id": 5, type: "branch" },
    );
    expect(m.currentSnapshotId).toBe(5n);
    expect(m.lastSequenceNumber).toBe(35);
    expect(m.snapshotLog.at(-1)).toEqual({ snapshotId: 5n, timestampMs: NOW - 10 });
    expect(m.lastUpdatedMs).toBe(NOW - 10);
    expect(m.refs.main).toEqual({ snapshotId: 5n, type: "branch" });
    expect(() => apply(v2, { action: "add-snapshot", snapshot: snap(6n, 34, 3055729675574597004n) })).toThrow(
      /sequence number 34: not after the last sequence number 34/,
    );
    expect(() => apply(v2, { action: "add-snapshot", snapshot: snap(3055729675574597004n, 40) })).toThrow(
      /already exists/,
    );
  });

  it("set-snapshot-ref: tags, rollback of main to an older snapshot, unknown snapshots", () => {
    const tagged = apply(v2, {
      action: "set-snapshot-ref",
      "ref-name": "v1",
      "snapshot-id": 3051729675574597004n,
      type: "tag",
    });
    expect(tagged.refs.v1?.type).toBe("tag");
    expect(tagged.currentSnapshotId).toBe(v2.currentSnapshotId);
    const rolled = apply(v2, {
      action: "set-snapshot-ref",
      "ref-name": "main",
      "snapshot-id": 3051729675574597004n,
      type: "branch",
    });
    expect(rolled.currentSnapshotId).toBe(3051729675574597004n);
    expect(rolled.snapshotLog.at(-1)).toEqual({ snapshotId: 3051729675574597004n, timestampMs: NOW });
    expect(() =>
      apply(v2, { action: "set-snapshot-ref", "ref-name": "b", "snapshot-id": 1, type: "branch" }),
    ).toThrow(/unknown snapshot 1/);
    expect(() =>
      apply(v2, {
        action: "set-snapshot-ref",
        "ref-name": "main",
        "snapshot-id": 3051729675574597004n,
        type: "tag",
      }),
    ).toThrow(/must be a branch/);
  });

  it("remove-snapshots drops refs, statistics and the log before them", () => {
    const stats = fixture("TableMetadataStatisticsFiles.json");
    const m = apply(stats, { action: "remove-snapshots", "snapshot-ids": [3055729675574597004n] });
    expect(m.snapshots).toEqual([]);
    expect(m.statistics).toEqual([]);
    expect(m.currentSnapshotId).toBeUndefined();
    expect(m.refs).toEqual({});
    const older = apply(v2, { action: "remove-snapshots", "snapshot-ids": [3051729675574597004n] });
    expect(older.snapshotLog.map((e) => e.snapshotId)).toEqual([3055729675574597004n]);
  });

  it("remove-snapshot-ref of main clears the current snapshot; an unknown ref is a no-op", () => {
    expect(
      apply(v2, { action: "remove-snapshot-ref", "ref-name": "main" }).currentSnapshotId,
    ).toBeUndefined();
    expect(apply(v2, { action: "remove-snapshot-ref", "ref-name": "nope" }).refs).toEqual(v2.refs);
  });

  it("set-location, set-properties, remove-properties", () => {
    const m = apply(
      v2,
      { action: "set-location", location: "s3://new" },
      { action: "set-properties", updates: { a: "1", b: "2" } },
      { action: "remove-properties", removals: ["a", "zzz"] },
    );
    expect(m.location).toBe("s3://new");
    expect(m.properties).toEqual({ b: "2" });
    expect(() => apply(v2, { action: "set-location", location: "" })).toThrow(/empty/);
  });

  it("set-statistics replaces per snapshot, remove-statistics removes", () => {
    const stats = fixture("TableMetadataStatisticsFiles.json");
    const file = { ...stats.statistics[0]!, statisticsPath: "s3://other.puffin" };
    const json = tableMetadataToJson({ ...stats, statistics: [file] }).statistics as unknown[];
    const m = apply(stats, { action: "set-statistics", statistics: json[0] });
    expect(m.statistics.map((s) => s.statisticsPath)).toEqual(["s3://other.puffin"]);
    expect(
      apply(stats, { action: "remove-statistics", "snapshot-id": 3055729675574597004n }).statistics,
    ).toEqual([]);
  });

  it("set-partition-statistics and remove-partition-statistics", () => {
    const p = {
      "snapshot-id": 3055729675574597004n,
      "statistics-path": "s3://p2.parquet",
      "file-size-in-bytes": 1,
    };
    const m = apply(v2, { action: "set-partition-statistics", "partition-statistics": p });
    expect(m.partitionStatistics.map((s) => s.statisticsPath)).toEqual(["s3://p2.parquet"]);
    expect(
      apply(m, { action: "remove-partition-statistics", "snapshot-id": 3055729675574597004n })
        .partitionStatistics,
    ).toEqual([]);
  });

  it("remove-partition-specs and remove-schemas keep the default and current ones", () => {
    const m = apply(
      v2,
      { action: "add-spec", spec: { fields: [{ name: "z", transform: "identity", "source-id": 3 }] } },
      { action: "remove-partition-specs", "spec-ids": [1] },
      { action: "remove-schemas", "schema-ids": [0] },
    );
    expect(m.partitionSpecs.map((s) => s.specId)).toEqual([0]);
    expect(m.schemas.map((s) => s.schemaId)).toEqual([1]);
    expect(() => apply(v2, { action: "remove-partition-specs", "spec-ids": [0] })).toThrow(
      /default partition spec 0/,
    );
    expect(() => apply(v2, { action: "remove-schemas", "schema-ids": [1] })).toThrow(/current schema 1/);
  });

  it("add-encryption-key and remove-encryption-key on v3 tables", () => {
    const v3 = fixture("iceberg-rust/TableMetadataV3ValidEncryption.json");
    const key = { "key-id": "k9", "encrypted-key-metadata": "AAEC" };
    const m = apply(v3, { action: "add-encryption-key", "encryption-key": key });
    expect(m.encryptionKeys?.map((k) => k.keyId)).toContain("k9");
    expect(
      apply(m, { action: "remove-encryption-key", "key-id": "k9" }).encryptionKeys?.map((k) => k.keyId),
    ).not.toContain("k9");
    expect(() => apply(v2, { action: "add-encryption-key", "encryption-key": key })).toThrow(/v2 table/);
  });

  it("v3 row lineage: first-row-id must not be behind next-row-id, which advances by added-rows", () => {
    const v3 = apply(v2, { action: "upgrade-format-version", "format-version": 3 });
    const s = { ...snap(9n, 40, 3055729675574597004n), "first-row-id": 0, "added-rows": 10 };
    expect(apply(v3, { action: "add-snapshot", snapshot: s }).nextRowId).toBe(10n);
    expect(() => apply(v3, { action: "add-snapshot", snapshot: snap(9n, 40) })).toThrow(
      /without first-row-id/,
    );
  });

  it("leaves the input untouched and keeps last-updated-ms for an empty commit", () => {
    const before = stringifyJson(tableMetadataToJson(v2));
    apply(v2, { action: "set-properties", updates: { x: "y" } });
    expect(stringifyJson(tableMetadataToJson(v2))).toBe(before);
    expect(applyUpdates(v2, []).lastUpdatedMs).toBe(v2.lastUpdatedMs);
  });

  it("addPreviousMetadataFile keeps the newest previous-versions-max entries", () => {
    let m = apply(v2, { action: "set-properties", updates: { "write.metadata.previous-versions-max": "2" } });
    for (let i = 0; i < 4; i++) m = addPreviousMetadataFile(m, `s3://t/metadata/0000${i}.metadata.json`, i);
    expect(m.metadataLog.map((e) => e.timestampMs)).toEqual([2, 3]);
  });
});

describe("applyUpdates: properties", () => {
  const fieldType = fc.constantFrom("int", "long", "string", "date", "double", "boolean");
  const newFields = fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fieldType), {
    minLength: 1,
    maxLength: 6,
    selector: ([name]) => name,
  });

  it("add-schema then set-current-schema -1 makes the new schema current, with ids above last-column-id", () => {
    fc.assert(
      fc.property(newFields, (fields) => {
        const next = v2.lastColumnId;
        const json = schemaJson(
          0,
          fields.map(([name, type], i) => [next + i + 1, `n_${name}`, type]),
        );
        const m = apply(
          v2,
          { action: "add-schema", schema: json },
          { action: "set-current-schema", "schema-id": -1 },
        );
        expect(m.currentSchemaId).toBe(2);
        expect(currentSchema(m).fields.map((f) => f.name)).toEqual(fields.map(([n]) => `n_${n}`));
        expect(m.lastColumnId).toBe(next + fields.length);
        expect(tableMetadataFromJson(parseJson(stringifyJson(tableMetadataToJson(m))))).toEqual(m);
      }),
    );
  });

  it("a chain of committed snapshots keeps sequence numbers, log and main consistent", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), { minLength: 1, maxLength: 8 }),
        (raw) => {
          const ids = [...new Set(raw)].filter((id) => !v2.snapshots.some((s) => s.snapshotId === id));
          let m = v2;
          for (const id of ids) {
            const parent = m.currentSnapshotId;
            m = apply(
              m,
              { action: "add-snapshot", snapshot: snap(id, m.lastSequenceNumber + 1, parent) },
              { action: "set-snapshot-ref", "ref-name": "main", "snapshot-id": id, type: "branch" },
            );
          }
          expect(m.lastSequenceNumber).toBe(v2.lastSequenceNumber + ids.length);
          expect(m.snapshotLog).toHaveLength(v2.snapshotLog.length + ids.length);
          if (ids.length > 0) expect(m.refs.main?.snapshotId).toBe(ids.at(-1));
          expect(tableMetadataFromJson(parseJson(stringifyJson(tableMetadataToJson(m))))).toEqual(m);
        },
      ),
    );
  });
});
