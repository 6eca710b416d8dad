import { describe, expect, it } from "vitest";
import { applyUpdates } from "../../../src/iceberg/apply-updates.ts";
import { newTableMetadata } from "../../../src/iceberg/create-table.ts";
import { planExpireSnapshots } from "../../../src/iceberg/maintenance/expire-snapshots.ts";
import { ancestors } from "../../../src/iceberg/maintenance/table-change.ts";
import { schemaFromJson } from "../../../src/iceberg/schema.ts";
import type { SnapshotRef } from "../../../src/iceberg/snapshot-ref.ts";
import type { TableMetadata } from "../../../src/iceberg/table-metadata.ts";

const DAY = 86_400_000;
const NOW = 100 * DAY;
const schema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [{ id: 1, name: "id", required: false, type: "long" }],
});

/** main: 1 ← 2 ← 3 ← 4, one a day ending today; a branch `dev` off 2 with 5; snapshot 6 unreferenced. */
function table(
  properties: Record<string, string> = {},
  extraRefs: Record<string, Omit<SnapshotRef, "snapshotId">> = {},
) {
  let m: TableMetadata = newTableMetadata({ schema, location: "s3://t", properties, nowMs: 0 });
  const commit = (id: bigint, parent: bigint | undefined, ageDays: number, ref?: string) => {
    const seq = m.lastSequenceNumber + 1;
    m = applyUpdates(
      m,
      [
        {
          action: "add-snapshot",
          snapshot: {
            snapshotId: id,
            ...(parent === undefined ? {} : { parentSnapshotId: parent }),
            sequenceNumber: seq,
            timestampMs: NOW - ageDays * DAY,
            manifestList: `s3://t/m/${id}.avro`,
            summary: { operation: "append" },
          },
        },
        ...(ref
          ? [
              {
                action: "set-snapshot-ref" as const,
                refName: ref,
                ref: { snapshotId: id, type: "branch" as const },
              },
            ]
          : []),
      ],
      { nowMs: NOW },
    );
  };
  commit(1n, undefined, 10, "main");
  commit(2n, 1n, 8, "main");
  commit(5n, 2n, 7, "dev");
  commit(3n, 2n, 6, "main");
  commit(6n, undefined, 1);
  commit(4n, 3n, 0, "main");
  for (const [name, ref] of Object.entries(extraRefs))
    m = applyUpdates(
      m,
      [{ action: "set-snapshot-ref", refName: name, ref: { ...ref, snapshotId: 2n } as SnapshotRef }],
      {
        nowMs: NOW,
      },
    );
  return m;
}

describe("planExpireSnapshots", () => {
  it("walks ancestors newest first", () => {
    expect([...ancestors(table(), 4n)].map((s) => s.snapshotId)).toEqual([4n, 3n, 2n, 1n]);
  });

  it("by default keeps 5 days of each branch, at least its head, and young unreferenced snapshots", () => {
    const plan = planExpireSnapshots(table(), { nowMs: NOW });
    // main keeps 4 (today); dev keeps its head 5; 6 is unreferenced but young; 1, 2, 3 are older than 5 days.
    expect([...plan.removedSnapshotIds].sort()).toEqual([1n, 2n, 3n]);
    expect(plan.removedRefs).toEqual([]);
    const after = applyUpdates(table(), plan.updates, { nowMs: NOW });
    expect(after.snapshots.map((s) => s.snapshotId).sort()).toEqual([4n, 5n, 6n]);
  });

  it("honours table properties, options, branch and tag settings", () => {
    const keep3 = planExpireSnapshots(table({ "history.expire.min-snapshots-to-keep": "3" }), { nowMs: NOW });
    // main keeps 4, 3, 2 and dev keeps 5, 2, 1.
    expect(keep3.removedSnapshotIds).toEqual([]);
    expect(
      planExpireSnapshots(table(), { nowMs: NOW, olderThanMs: NOW - 9 * DAY }).removedSnapshotIds,
    ).toEqual([1n]);
    expect(
      planExpireSnapshots(table(), { nowMs: NOW, olderThanMs: NOW + 1, retainLast: 1 }).removedSnapshotIds,
    ).toEqual([1n, 2n, 3n, 6n]);
    const tagged = planExpireSnapshots(table({}, { v1: { type: "tag" } }), { nowMs: NOW });
    expect(tagged.removedSnapshotIds).toEqual([1n, 3n]);
    const oldTag = planExpireSnapshots(table({}, { v1: { type: "tag", maxRefAgeMs: DAY } }), { nowMs: NOW });
    expect(oldTag.removedRefs).toEqual(["v1"]);
    expect(oldTag.updates[0]).toEqual({ action: "remove-snapshot-ref", refName: "v1" });
    const longBranch = planExpireSnapshots(table({}, { b: { type: "branch", minSnapshotsToKeep: 2 } }), {
      nowMs: NOW,
    });
    expect(longBranch.removedSnapshotIds).toEqual([3n]);
  });

  it("never removes main, however old", () => {
    const plan = planExpireSnapshots(table({ "history.expire.max-ref-age-ms": "1" }), {
      nowMs: NOW + 30 * DAY,
    });
    expect(plan.removedRefs).toEqual(["dev"]);
    expect(plan.removedSnapshotIds).not.toContain(4n);
  });
});
