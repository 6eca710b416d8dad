import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../../src/core/errors.ts";
import { appendRows } from "../../../src/engine/append.ts";
import { writeDataFiles } from "../../../src/engine/write-data-files.ts";
import { expiredFiles } from "../../../src/iceberg/maintenance/expire-files.ts";
import { createBranch, createTag } from "../../../src/iceberg/maintenance/refs.ts";
import { cherryPick } from "../../../src/iceberg/producers/cherry-pick.ts";
import { fastAppend } from "../../../src/iceberg/producers/fast-append.ts";
import type { TableFile } from "../../../src/iceberg/producers/metadata-file.ts";
import { planScan } from "../../../src/iceberg/scan/plan-scan.ts";
import type { TableMetadata } from "../../../src/iceberg/table-metadata.ts";
import { LocalObjectStore } from "../../../src/storage/local-object-store.ts";
import { useDuck } from "../../engine/duck.ts";
import { appendSeries, commit, removing, rowsSql } from "./tables.ts";

const { duck, warehouse } = useDuck();

/** Adds snapshot `id` (rows `[from, to)`) whose parent is `parentRef`'s head, without moving any ref. */
async function stage(
  store: LocalObjectStore,
  t: TableFile,
  id: bigint,
  [from, to]: [number, number],
  summary: Record<string, string> = {},
  parentRef = "main",
): Promise<TableFile> {
  const m = t.metadata;
  const files = await writeDataFiles({
    duck: duck(),
    schema: m.schemas[0]!,
    spec: m.partitionSpecs[0]!,
    source: rowsSql(from, to),
    location: m.location,
    targetFileSizeBytes: 1 << 27,
    store,
  });
  const a = await fastAppend({
    metadata: m,
    store,
    snapshotId: id,
    files,
    ref: parentRef,
    nowMs: Number(id) * 1000,
  });
  const snapshot = { ...a.snapshot, summary: { ...a.snapshot.summary!, ...summary } };
  return commit(store, t, { updates: [{ action: "add-snapshot", snapshot }], requirements: [] });
}

async function scan(m: TableMetadata, store: LocalObjectStore, ref = "main") {
  const files: string[] = [];
  let rows = 0n;
  for await (const task of planScan({ metadata: m, store, ref })) {
    files.push(task.file.filePath);
    rows += task.file.recordCount;
  }
  return { files: files.sort(), rows };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(isFloeError(e), String(e)).toBe(true);
  return (e as Error).message;
}

describe("cherry-pick", () => {
  it("fast-forwards, re-adds an append's files on another parent, and refuses a second pick", async () => {
    const store = new LocalObjectStore(warehouse());
    const location = `file://${join(warehouse(), "cp")}`;
    let t = (await appendSeries(duck(), store, location, [[0, 4]])).at(-1)!;
    // a write-audit-publish snapshot staged on top of main
    t = await stage(store, t, 2n, [4, 10], { "wap.id": "w1" });
    expect(t.metadata.currentSnapshotId).toBe(1n);

    const ff = await cherryPick({ metadata: t.metadata, store, pickSnapshotId: 2n, snapshotId: 99n });
    expect(ff.fastForward).toBe(true);
    expect(ff.writtenFiles).toEqual([]);
    expect(ff.updates).toEqual([
      { action: "set-snapshot-ref", refName: "main", ref: { snapshotId: 2n, type: "branch" } },
    ]);
    const published = await commit(store, t, ff);
    expect((await scan(published.metadata, store)).rows).toBe(10n);
    expect(
      await refusal(cherryPick({ metadata: published.metadata, store, pickSnapshotId: 2n, snapshotId: 98n })),
    ).toBe(
      `Cannot cherry-pick snapshot 2 onto branch main of table ${location}: it is already an ancestor of the branch`,
    );

    // instead: main moves on first (3), then 2 is picked onto it as a new snapshot 4
    t = await appendRows({
      duck: duck(),
      store,
      table: t,
      source: rowsSql(10, 13),
      snapshotId: 3n,
      nowMs: 3000,
    });
    const staged = await scan(t.metadata, store, "main");
    const pick = await cherryPick({
      metadata: t.metadata,
      store,
      pickSnapshotId: 2n,
      snapshotId: 4n,
      nowMs: 4000,
    });
    expect(pick.fastForward).toBe(false);
    expect(pick.snapshot).toMatchObject({ snapshotId: 4n, parentSnapshotId: 3n, timestampMs: 4000 });
    expect(pick.snapshot.summary).toMatchObject({
      operation: "append",
      "source-snapshot-id": "2",
      "published-wap-id": "w1",
      "added-records": "6",
      "total-records": "13",
    });
    expect(pick.requirements).toContainEqual({ type: "assert-ref-snapshot-id", ref: "main", snapshotId: 3n });
    t = await commit(store, t, pick);
    const after = await scan(t.metadata, store);
    expect(after.rows).toBe(13n);
    const pickedFiles = (
      await (async () => {
        const out: string[] = [];
        for await (const task of planScan({ metadata: t.metadata, store, snapshotId: 2n }))
          out.push(task.file.filePath);
        return out;
      })()
    ).filter((f) => !staged.files.includes(f));
    expect(after.files).toEqual([...staged.files, ...pickedFiles].sort());
    expect(t.metadata.snapshots.find((s) => s.snapshotId === 4n)!.sequenceNumber).toBe(4);

    // picked once: again is refused, and so is another snapshot publishing the same wap.id
    expect(
      await refusal(cherryPick({ metadata: t.metadata, store, pickSnapshotId: 2n, snapshotId: 5n })),
    ).toMatch(/snapshot 2 onto branch main .*: it was already picked to create ancestor 4/);
    t = await stage(store, t, 6n, [20, 22], { "wap.id": "w1" });
    expect(
      await refusal(cherryPick({ metadata: t.metadata, store, pickSnapshotId: 6n, snapshotId: 7n })),
    ).toMatch(/snapshot 6 .*: its wap.id w1 was already published by ancestor 4/);

    // the staged snapshot 2 can now expire without taking its files: 4 re-added them
    const files = await expiredFiles({ before: t.metadata, after: removing(t.metadata, [2n]), store });
    expect(files.dataFiles).toEqual([]);
    expect(files.manifests).toHaveLength(1);
  });

  it("picks onto another branch and refuses what cannot be replayed", async () => {
    const store = new LocalObjectStore(warehouse());
    const location = `file://${join(warehouse(), "cp2")}`;
    let t = (
      await appendSeries(duck(), store, location, [
        [0, 4],
        [4, 8],
      ])
    ).at(-1)!;
    t = await commit(store, t, createBranch(t.metadata, "dev", 1n, { minSnapshotsToKeep: 5 }));
    t = await commit(store, t, createTag(t.metadata, "v1", 1n));
    // 2 (main's) has parent 1 = dev's head: a fast-forward of dev, retention kept
    const ff = await cherryPick({
      metadata: t.metadata,
      store,
      pickSnapshotId: 2n,
      branch: "dev",
      snapshotId: 50n,
    });
    expect(ff.updates).toEqual([
      {
        action: "set-snapshot-ref",
        refName: "dev",
        ref: { snapshotId: 2n, type: "branch", minSnapshotsToKeep: 5 },
      },
    ]);
    // 3 staged on dev's base (1), then dev moved elsewhere: replayed onto dev, main untouched
    t = await stage(store, t, 3n, [8, 11], {}, "dev");
    t = await commit(store, t, ff);
    const pick = await cherryPick({
      metadata: t.metadata,
      store,
      pickSnapshotId: 3n,
      branch: "dev",
      snapshotId: 4n,
    });
    t = await commit(store, t, pick);
    expect(t.metadata.refs.dev).toEqual({ snapshotId: 4n, type: "branch", minSnapshotsToKeep: 5 });
    expect(t.metadata.currentSnapshotId).toBe(2n);
    expect((await scan(t.metadata, store, "dev")).rows).toBe(11n);
    expect((await scan(t.metadata, store)).rows).toBe(8n);

    // an overwrite that replaced partitions, a delete, unknown snapshot, a tag
    const m0 = t.metadata;
    const overwrite = {
      ...m0.snapshots.find((s) => s.snapshotId === 3n)!,
      snapshotId: 9n,
      sequenceNumber: m0.lastSequenceNumber + 1,
      summary: { operation: "overwrite" as const, "replace-partitions": "true" },
    };
    const del = {
      ...overwrite,
      snapshotId: 10n,
      sequenceNumber: overwrite.sequenceNumber + 1,
      summary: { operation: "delete" as const },
    };
    t = await commit(store, t, {
      updates: [
        { action: "add-snapshot", snapshot: overwrite },
        { action: "add-snapshot", snapshot: del },
      ],
      requirements: [],
    });
    const m = t.metadata;
    expect(await refusal(cherryPick({ metadata: m, store, pickSnapshotId: 9n, snapshotId: 11n }))).toBe(
      `Cannot cherry-pick snapshot 9 onto branch main of table ${location}: it is a dynamic partition overwrite (replace-partitions), which floe can only fast-forward; its parent 1 is not the branch head 2`,
    );
    expect(await refusal(cherryPick({ metadata: m, store, pickSnapshotId: 10n, snapshotId: 11n }))).toMatch(
      /snapshot 10 .*: its operation is delete, not append, and it is not a fast-forward \(its parent 1 is not the branch head 2\)/,
    );
    const missing = await cherryPick({ metadata: m, store, pickSnapshotId: 77n, snapshotId: 11n }).catch(
      (e: unknown) => e,
    );
    expect(isFloeError(missing, "NOT_FOUND")).toBe(true);
    expect(
      await refusal(cherryPick({ metadata: m, store, pickSnapshotId: 3n, branch: "v1", snapshotId: 11n })),
    ).toMatch(/Ref v1 of table .* is a tag, not a branch/);
    expect(
      await refusal(cherryPick({ metadata: m, store, pickSnapshotId: 3n, branch: "nope", snapshotId: 11n })),
    ).toMatch(/Cannot find branch nope/);
  });
});
