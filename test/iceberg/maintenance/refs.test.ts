import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FloeError, isFloeError } from "../../../src/core/errors.ts";
import {
  createBranch,
  createTag,
  fastForwardBranch,
  removeBranch,
  removeTag,
  renameBranch,
  replaceBranch,
  replaceTag,
  setRefRetention,
} from "../../../src/iceberg/maintenance/refs.ts";
import { readTableFile } from "../../../src/iceberg/producers/metadata-file.ts";
import { LocalObjectStore } from "../../../src/storage/local-object-store.ts";
import { useDuck } from "../../engine/duck.ts";
import { appendSeries, commit } from "./tables.ts";

const { duck, warehouse } = useDuck();

async function fails(f: () => unknown, kind: FloeError["kind"], message: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await f();
  } catch (e) {
    caught = e;
  }
  expect(isFloeError(caught, kind), String(caught)).toBe(true);
  expect((caught as Error).message).toMatch(message);
}

describe("branch and tag operations", () => {
  it("create, replace, retain, fast-forward, rename and remove refs through commits", async () => {
    const store = new LocalObjectStore(warehouse());
    const location = `file://${join(warehouse(), "refs")}`;
    const [, , , t3] = await appendSeries(duck(), store, location, [
      [0, 4],
      [4, 8],
      [8, 12],
    ]);
    let t = t3!;

    const branch = createBranch(t.metadata, "dev", 1n, { minSnapshotsToKeep: 2, maxRefAgeMs: 86_400_000 });
    expect(branch.requirements).toEqual([
      { type: "assert-table-uuid", uuid: t.metadata.tableUuid },
      { type: "assert-ref-snapshot-id", ref: "dev", snapshotId: null },
    ]);
    t = await commit(store, t, branch);
    expect(t.metadata.refs.dev).toEqual({
      snapshotId: 1n,
      type: "branch",
      minSnapshotsToKeep: 2,
      maxRefAgeMs: 86_400_000,
    });
    t = await commit(store, t, createTag(t.metadata, "v1", 2n, { maxRefAgeMs: 5_000 }));
    t = await commit(store, t, createTag(t.metadata, "latest"));
    expect(t.metadata.refs.latest).toEqual({ snapshotId: 3n, type: "tag" });

    // replace keeps retention unless given
    t = await commit(store, t, replaceBranch(t.metadata, "dev", 2n));
    expect(t.metadata.refs.dev).toMatchObject({ snapshotId: 2n, minSnapshotsToKeep: 2 });
    t = await commit(store, t, replaceTag(t.metadata, "v1", 1n));
    expect(t.metadata.refs.v1).toEqual({ snapshotId: 1n, type: "tag", maxRefAgeMs: 5_000 });
    t = await commit(
      store,
      t,
      setRefRetention(t.metadata, "dev", { maxSnapshotAgeMs: 60_000, minSnapshotsToKeep: undefined }),
    );
    expect(t.metadata.refs.dev).toEqual({
      snapshotId: 2n,
      type: "branch",
      maxSnapshotAgeMs: 60_000,
      maxRefAgeMs: 86_400_000,
    });

    // fast-forward dev (at 2) to main (at 3): 2 is an ancestor of 3
    const ff = fastForwardBranch(t.metadata, "dev", "main");
    expect(ff.requirements).toContainEqual({ type: "assert-ref-snapshot-id", ref: "main", snapshotId: 3n });
    t = await commit(store, t, ff);
    expect(t.metadata.refs.dev).toMatchObject({ snapshotId: 3n, maxSnapshotAgeMs: 60_000 });
    expect(fastForwardBranch(t.metadata, "dev", "main").updates).toEqual([]);

    t = await commit(store, t, renameBranch(t.metadata, "dev", "staging"));
    expect(Object.keys(t.metadata.refs).sort()).toEqual(["latest", "main", "staging", "v1"]);
    t = await commit(store, t, removeBranch(t.metadata, "staging"));
    t = await commit(store, t, removeTag(t.metadata, "v1"));
    expect(Object.keys(t.metadata.refs).sort()).toEqual(["latest", "main"]);
    expect(t.metadata.currentSnapshotId).toBe(3n);
    expect(await readTableFile(store, t.location)).toEqual(t);
  });

  it("refuses what Java refuses, naming the table and the problem", async () => {
    const store = new LocalObjectStore(warehouse());
    const location = `file://${join(warehouse(), "refs-bad")}`;
    const [empty, , t2] = await appendSeries(duck(), store, location, [
      [0, 4],
      [4, 8],
    ]);
    let t = t2!;
    t = await commit(store, t, createBranch(t.metadata, "dev", 1n));
    t = await commit(store, t, createTag(t.metadata, "v1", 1n));
    const m = t.metadata;
    const table = new RegExp(`table ${location}`);
    await fails(() => createBranch(empty!.metadata, "b"), "BAD_REQUEST", /has no current snapshot/);
    await fails(() => createBranch(m, "dev"), "BAD_REQUEST", /branch of that name already exists/);
    await fails(
      () => createTag(m, "dev", 1n),
      "BAD_REQUEST",
      /Cannot create tag dev .*a branch of that name/,
    );
    await fails(() => createTag(m, "main", 1n), "BAD_REQUEST", /already exists/);
    await fails(() => createBranch(m, "x", 99n), "NOT_FOUND", /has no snapshot 99/);
    await fails(() => createBranch(m, "x", 99n), "NOT_FOUND", table);
    await fails(
      () => createTag(m, "t", 1n, { minSnapshotsToKeep: 1 } as object),
      "BAD_REQUEST",
      /a tag has no/,
    );
    await fails(
      () => createBranch(m, "y", 1n, { maxRefAgeMs: 0 }),
      "BAD_REQUEST",
      /max-ref-age-ms .* positive/,
    );
    await fails(() => replaceBranch(m, "v1", 2n), "BAD_REQUEST", /Ref v1 .* is a tag, not a branch/);
    await fails(() => replaceTag(m, "dev", 2n), "BAD_REQUEST", /Ref dev .* is a branch, not a tag/);
    await fails(() => replaceBranch(m, "nope", 2n), "NOT_FOUND", /Cannot find branch nope/);
    await fails(() => replaceTag(m, "v1", 42n), "NOT_FOUND", /no snapshot 42/);
    await fails(() => removeBranch(m, "main"), "BAD_REQUEST", /Cannot remove branch main/);
    await fails(() => removeBranch(m, "v1"), "BAD_REQUEST", /is a tag, not a branch/);
    await fails(() => removeTag(m, "dev"), "BAD_REQUEST", /is a branch, not a tag/);
    await fails(() => removeTag(m, "gone"), "NOT_FOUND", /Cannot find tag gone/);
    await fails(() => renameBranch(m, "main", "x"), "BAD_REQUEST", /Cannot rename branch main/);
    await fails(() => renameBranch(m, "dev", "v1"), "BAD_REQUEST", /already exists/);
    await fails(() => setRefRetention(m, "gone", {}), "NOT_FOUND", /Cannot find branch or tag gone/);
    await fails(() => setRefRetention(m, "v1", { maxSnapshotAgeMs: 5 }), "BAD_REQUEST", /a tag has no/);
    // main (2) is not an ancestor of dev (1): no fast-forward backwards
    await fails(() => fastForwardBranch(m, "main", "dev"), "BAD_REQUEST", /not an ancestor of dev's head 1/);
    await fails(() => fastForwardBranch(m, "dev", "v1"), "BAD_REQUEST", /is a tag/);

    // a change planned against an old state is a conflict, not a lost update
    const stale = setRefRetention(m, "dev", { maxRefAgeMs: 10 });
    const moved = await commit(store, t, replaceBranch(m, "dev", 2n));
    await fails(() => commit(store, moved, stale), "COMMIT_CONFLICT", /assert-ref-snapshot-id/);
    const staleCreate = createBranch(m, "new", 1n);
    const created = await commit(store, t, createBranch(m, "new", 2n));
    await fails(() => commit(store, created, staleCreate), "COMMIT_CONFLICT", /created concurrently/);
  });
});
