import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../../src/core/errors.ts";
import { createBranch } from "../../../src/iceberg/maintenance/refs.ts";
import { rollbackTo, rollbackToTime, setCurrentSnapshot } from "../../../src/iceberg/maintenance/rollback.ts";
import { planScan } from "../../../src/iceberg/scan/plan-scan.ts";
import type { TableMetadata } from "../../../src/iceberg/table-metadata.ts";
import { LocalObjectStore } from "../../../src/storage/local-object-store.ts";
import { useDuck } from "../../engine/duck.ts";
import { appendSeries, commit } from "./tables.ts";

const { duck, warehouse } = useDuck();

function error(f: () => unknown): Error & { kind?: string } {
  try {
    f();
  } catch (e) {
    expect(isFloeError(e)).toBe(true);
    return e as Error;
  }
  throw new Error("expected an error");
}

async function records(m: TableMetadata, store: LocalObjectStore, ref?: string): Promise<bigint> {
  let n = 0n;
  for await (const task of planScan({ metadata: m, store, ...(ref ? { ref } : {}) }))
    n += task.file.recordCount;
  return n;
}

describe("rollback and set current snapshot", () => {
  it("moves main and other branches back, by id and by time, keeping retention", async () => {
    const store = new LocalObjectStore(warehouse());
    const location = `file://${join(warehouse(), "rb")}`;
    const series = await appendSeries(duck(), store, location, [
      [0, 5],
      [5, 10],
      [10, 20],
    ]);
    let t = series.at(-1)!;
    expect(await records(t.metadata, store)).toBe(20n);

    const back = rollbackTo(t.metadata, 1n);
    expect(back.updates).toEqual([
      { action: "set-snapshot-ref", refName: "main", ref: { snapshotId: 1n, type: "branch" } },
    ]);
    expect(back.requirements).toContainEqual({ type: "assert-ref-snapshot-id", ref: "main", snapshotId: 3n });
    t = await commit(store, t, back, 50_000);
    expect(t.metadata.currentSnapshotId).toBe(1n);
    expect(t.metadata.snapshotLog.at(-1)).toEqual({ snapshotId: 1n, timestampMs: 50_000 });
    expect(await records(t.metadata, store)).toBe(5n);

    // 3 is no longer an ancestor of main: rollback refuses it, set-current takes it
    const e = error(() => rollbackTo(t.metadata, 3n));
    expect(e.message).toBe(
      `Cannot roll back branch main of table ${location} to snapshot 3: it is not an ancestor of the branch head 1`,
    );
    t = await commit(store, t, setCurrentSnapshot(t.metadata, 3n));
    expect(await records(t.metadata, store)).toBe(20n);
    expect(rollbackTo(t.metadata, 3n).updates).toEqual([]);

    // by time: the newest ancestor strictly before the time
    expect(rollbackToTime(t.metadata, 3000).updates).toEqual([
      { action: "set-snapshot-ref", refName: "main", ref: { snapshotId: 2n, type: "branch" } },
    ]);
    expect(rollbackToTime(t.metadata, 3001).updates).toEqual([]);
    expect(error(() => rollbackToTime(t.metadata, 1000)).message).toMatch(
      /Cannot roll back branch main of table .* to 1970-01-01T00:00:01.000Z: no snapshot of the branch is older/,
    );

    // another branch, retention kept; main untouched
    t = await commit(store, t, createBranch(t.metadata, "dev", 3n, { minSnapshotsToKeep: 3 }));
    t = await commit(store, t, rollbackTo(t.metadata, 2n, { branch: "dev" }));
    expect(t.metadata.refs.dev).toEqual({ snapshotId: 2n, type: "branch", minSnapshotsToKeep: 3 });
    expect(t.metadata.currentSnapshotId).toBe(3n);
    expect(await records(t.metadata, store, "dev")).toBe(10n);
    t = await commit(store, t, rollbackToTime(t.metadata, 1500, { branch: "dev" }));
    expect(t.metadata.refs.dev?.snapshotId).toBe(1n);
    t = await commit(store, t, setCurrentSnapshot(t.metadata, 3n, { branch: "dev" }));
    expect(t.metadata.refs.dev?.snapshotId).toBe(3n);

    expect(error(() => rollbackTo(t.metadata, 9n)).kind).toBe("NOT_FOUND");
    expect(error(() => rollbackTo(t.metadata, 1n, { branch: "nope" })).message).toMatch(
      /Cannot find branch nope/,
    );
    expect(error(() => setCurrentSnapshot(t.metadata, 7n, { branch: "dev" })).message).toMatch(
      /Cannot set branch dev to a snapshot: table .* has no snapshot 7/,
    );
  });

  it("refuses a tag and commits against a moved branch", async () => {
    const store = new LocalObjectStore(warehouse());
    const location = `file://${join(warehouse(), "rb2")}`;
    const series = await appendSeries(duck(), store, location, [
      [0, 5],
      [5, 10],
    ]);
    let t = series.at(-1)!;
    t = await commit(store, t, {
      updates: [{ action: "set-snapshot-ref", refName: "v1", ref: { snapshotId: 1n, type: "tag" } }],
      requirements: [],
    });
    expect(error(() => rollbackTo(t.metadata, 1n, { branch: "v1" })).message).toMatch(
      /Ref v1 .* is a tag, not a branch/,
    );
    const stale = rollbackTo(t.metadata, 1n);
    const moved = await commit(store, t, setCurrentSnapshot(t.metadata, 1n));
    const after = await commit(store, moved, setCurrentSnapshot(moved.metadata, 2n));
    expect(after.metadata.currentSnapshotId).toBe(2n);
    await expect(commit(store, moved, stale)).rejects.toThrow(
      /^Requirement failed: branch main has changed: .* \(assert-ref-snapshot-id\)$/,
    );
  });
});
