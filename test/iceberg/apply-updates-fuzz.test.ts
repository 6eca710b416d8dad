import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import { parseJson, stringifyJson } from "../../src/core/json.ts";
import { applyUpdates } from "../../src/iceberg/apply-updates.ts";
import { newTableMetadata } from "../../src/iceberg/create-table.ts";
import { highestFieldId, schemaFromJson } from "../../src/iceberg/schema.ts";
import { addColumn } from "../../src/iceberg/schema-update.ts";
import {
  currentSchema,
  type TableMetadata,
  tableMetadataFromJson,
  tableMetadataToJson,
} from "../../src/iceberg/table-metadata.ts";
import { parseTransform } from "../../src/iceberg/transforms.ts";
import { parsePrimitive } from "../../src/iceberg/types.ts";
import type { TableUpdate } from "../../src/iceberg/updates.ts";

const base = newTableMetadata({
  schema: schemaFromJson({
    type: "struct",
    "schema-id": 0,
    fields: [
      { id: 1, name: "id", required: true, type: "long" },
      { id: 2, name: "ts", required: false, type: "timestamptz" },
      { id: 3, name: "s", required: false, type: "string" },
    ],
  }),
  location: "s3://t",
  nowMs: 0,
});

/** One step of a random history: a function of the current metadata, since valid updates depend on it. */
type Step = (m: TableMetadata) => TableUpdate[];

const pick = <T>(xs: readonly T[], i: number): T | undefined =>
  xs.length === 0 ? undefined : xs[i % xs.length];

const step: fc.Arbitrary<Step> = fc.oneof(
  fc
    .record({ k: fc.constantFrom("a", "b", "c"), v: fc.string() })
    .map(({ k, v }): Step => () => [{ action: "set-properties", updates: { [k]: v } }]),
  fc.constantFrom("a", "b", "zz").map((k): Step => () => [{ action: "remove-properties", removals: [k] }]),
  fc.nat().map((n): Step => (m: TableMetadata) => {
    const { schema, lastColumnId } = addColumn(currentSchema(m), m.lastColumnId, {
      name: `c${n}`,
      type: parsePrimitive("int"),
    });
    return [
      { action: "add-schema", schema, lastColumnId },
      { action: "set-current-schema", schemaId: -1 },
    ];
  }),
  fc
    .nat()
    .map((n): Step => (m: TableMetadata) => [
      { action: "set-current-schema", schemaId: pick(m.schemas, n)?.schemaId ?? 0 },
    ]),
  fc
    .tuple(fc.nat(), fc.constantFrom("identity", "bucket[4]", "truncate[2]", "day", "hour", "year", "void"))
    .map(([n, t]): Step => (m: TableMetadata) => {
      const source = pick(currentSchema(m).fields, n);
      return [
        {
          action: "add-spec",
          spec: {
            fields: [
              {
                name: `p_${n}_${t.replace(/\W/g, "")}`,
                transform: parseTransform(t),
                sourceId: source?.id ?? 1,
              },
            ],
          },
        },
        { action: "set-default-spec", specId: -1 },
      ];
    }),
  fc.tuple(fc.nat(), fc.boolean()).map(([n, asc]): Step => (m: TableMetadata) => [
    {
      action: "add-sort-order",
      sortOrder: {
        orderId: 0,
        fields: [
          {
            sourceId: pick(currentSchema(m).fields, n)?.id ?? 1,
            transform: parseTransform("identity"),
            direction: asc ? "asc" : "desc",
            nullOrder: "nulls-first",
          },
        ],
      },
    },
    { action: "set-default-sort-order", sortOrderId: -1 },
  ]),
  fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map((id): Step => (m: TableMetadata) => [
    {
      action: "add-snapshot",
      snapshot: {
        snapshotId: id,
        ...(m.currentSnapshotId === undefined ? {} : { parentSnapshotId: m.currentSnapshotId }),
        sequenceNumber: m.lastSequenceNumber + 1,
        timestampMs: 1000 + m.snapshots.length,
        manifestList: `s3://t/m/${id}.avro`,
        summary: { operation: "append" },
      },
    },
    { action: "set-snapshot-ref", refName: "main", ref: { snapshotId: id, type: "branch" } },
  ]),
  fc.tuple(fc.nat(), fc.constantFrom("t1", "t2", "b1")).map(([n, name]): Step => (m: TableMetadata) => {
    const s = pick(m.snapshots, n);
    return s
      ? [
          {
            action: "set-snapshot-ref",
            refName: name,
            ref: { snapshotId: s.snapshotId, type: name.startsWith("t") ? "tag" : "branch" },
          },
        ]
      : [];
  }),
  fc
    .constantFrom("t1", "t2", "b1", "main")
    .map((name): Step => () => [{ action: "remove-snapshot-ref", refName: name }]),
  fc.nat().map((n): Step => (m: TableMetadata) => {
    const s = pick(m.snapshots, n);
    return s ? [{ action: "remove-snapshots", snapshotIds: [s.snapshotId] }] : [];
  }),
  fc.nat().map((n): Step => (m: TableMetadata) => {
    const s = pick(m.snapshots, n);
    return s
      ? [
          {
            action: "set-statistics",
            statistics: {
              snapshotId: s.snapshotId,
              statisticsPath: "s3://s",
              fileSizeInBytes: 1,
              fileFooterSizeInBytes: 1,
              blobMetadata: [],
            },
          },
        ]
      : [];
  }),
  fc
    .nat()
    .map((n): Step => (m: TableMetadata) => [
      { action: "remove-schemas", schemaIds: [pick(m.schemas, n)?.schemaId ?? 0] },
    ]),
  fc
    .nat()
    .map((n): Step => (m: TableMetadata) => [
      { action: "remove-partition-specs", specIds: [pick(m.partitionSpecs, n)?.specId ?? 0] },
    ]),
);

describe("applyUpdates on random histories", () => {
  it("refuses only with BAD_REQUEST and always leaves consistent, round-tripping metadata", () => {
    let applied = 0;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        let m = base;
        for (const s of steps) {
          try {
            m = applyUpdates(m, s(m), { nowMs: 5 });
            applied++;
          } catch (e) {
            if (!isFloeError(e, "BAD_REQUEST")) throw e;
          }
          for (const schema of m.schemas) expect(highestFieldId(schema)).toBeLessThanOrEqual(m.lastColumnId);
          for (const spec of m.partitionSpecs)
            for (const f of spec.fields) expect(f.fieldId).toBeLessThanOrEqual(m.lastPartitionId);
          for (const snap of m.snapshots)
            expect(snap.sequenceNumber).toBeLessThanOrEqual(m.lastSequenceNumber);
          expect(m.refs.main?.snapshotId).toBe(m.currentSnapshotId);
        }
        expect(tableMetadataFromJson(parseJson(stringifyJson(tableMetadataToJson(m))))).toEqual(m);
      }),
      { numRuns: 300 },
    );
    // Most steps are valid, so the histories go somewhere.
    expect(applied).toBeGreaterThan(600);
  });
});
