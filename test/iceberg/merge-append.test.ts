import { describe, expect, it } from "vitest";
import { EntryStatus } from "../../src/iceberg/data-file.ts";
import { fastAppend } from "../../src/iceberg/producers/fast-append.ts";
import { mergeAppend } from "../../src/iceberg/producers/merge-append.ts";
import { mergeSettings, packEnd } from "../../src/iceberg/producers/merge-manifests.ts";
import type { TableMetadata } from "../../src/iceberg/table-metadata.ts";
import {
  commit,
  entries,
  file,
  liveFiles,
  manifestList,
  refused,
  table,
  useStore,
} from "./producer-fixtures.ts";

const store = useStore("merge-append");

describe("packEnd", () => {
  it("packs from the end so that the first bin is the short one", () => {
    expect(packEnd([1, 1, 1, 1, 1], (x) => x, 2)).toEqual([[1], [1, 1], [1, 1]]);
    expect(packEnd([5, 1, 1], (x) => x, 2)).toEqual([[5], [1, 1]]);
    expect(packEnd([], (x: number) => x, 2)).toEqual([]);
    expect(packEnd(["a", "b", "c"], () => 1, 10)).toEqual([["a", "b", "c"]]);
  });
});

describe("mergeSettings", () => {
  it("reads Java's properties with Java's defaults", () => {
    expect(mergeSettings({})).toEqual({ minCountToMerge: 100, targetSizeBytes: 8 * 1024 * 1024 });
    expect(mergeSettings({ "commit.manifest-merge.enabled": "false" })).toBeUndefined();
    expect(
      mergeSettings({
        "commit.manifest.min-count-to-merge": "3",
        "commit.manifest.target-size-bytes": "1000",
      }),
    ).toEqual({ minCountToMerge: 3, targetSizeBytes: 1000 });
    expect(() => mergeSettings({ "commit.manifest.min-count-to-merge": "x" })).toThrow(/positive integer/);
    expect(() => mergeSettings({ "commit.manifest-merge.enabled": "yes" })).toThrow(/true or false/);
  });
});

describe("mergeAppend", () => {
  const props = { "commit.manifest.min-count-to-merge": "3" };

  it("merges the manifests once min-count-to-merge is reached, keeping sequence numbers", async () => {
    let m = table(store, "merge", { properties: props });
    const append = async (id: bigint, name: string, category: string) => {
      const p = await mergeAppend({
        metadata: m,
        store,
        snapshotId: id,
        files: [file(m, name, category, Number(id) * 10, Number(id) * 10 + 4)],
        nowMs: Number(id) * 1000,
      });
      m = commit(m, p);
      return p;
    };
    await append(1n, "a", "x");
    await append(2n, "b", "y");
    expect((await manifestList(store, m)).length).toBe(2);
    const third = await append(3n, "c", "x");
    // three manifests reach the minimum: merged into one
    const list = await manifestList(store, m);
    expect(list.length).toBe(1);
    expect(list[0]).toMatchObject({
      addedSnapshotId: 3n,
      sequenceNumber: 3n,
      minSequenceNumber: 1n,
      addedFilesCount: 1,
      existingFilesCount: 2,
      deletedFilesCount: 0,
      addedRowsCount: 5n,
      existingRowsCount: 10n,
    });
    expect(third.manifests).toEqual(list);
    const es = await entries(store, list[0]!);
    expect(es.map((e) => [e.dataFile.filePath.slice(-9), e.status, e.snapshotId, e.sequenceNumber])).toEqual([
      ["c.parquet", EntryStatus.ADDED, 3n, 3n],
      ["b.parquet", EntryStatus.EXISTING, 2n, 2n],
      ["a.parquet", EntryStatus.EXISTING, 1n, 1n],
    ]);
    expect(third.snapshot.summary).toEqual({
      operation: "append",
      "added-data-files": "1",
      "added-records": "5",
      "added-files-size": "100",
      "changed-partition-count": "1",
      "total-records": "15",
      "total-files-size": "300",
      "total-data-files": "3",
      "total-delete-files": "0",
      "total-position-deletes": "0",
      "total-equality-deletes": "0",
    });
    // the next append adds one manifest beside the merged one
    await append(4n, "d", "y");
    expect((await manifestList(store, m)).map((mf) => mf.addedSnapshotId)).toEqual([4n, 3n]);
    expect(await liveFiles(store, m)).toEqual(["a", "b", "c", "d"]);
  });

  it("bin-packs by target size: older full bins merge, the short newest bin waits", async () => {
    let m = table(store, "bins", { properties: { "commit.manifest-merge.enabled": "false" } });
    for (let i = 1; i <= 4; i++) {
      const p = await fastAppend({
        metadata: m,
        store,
        snapshotId: BigInt(i),
        files: [file(m, `f${i}`, "x", i, i)],
      });
      m = commit(m, p);
    }
    const sizes = (await manifestList(store, m)).map((mf) => Number(mf.manifestLength));
    // a target that holds two manifests: [new, 4] [3, 2] [1] packed from the end → [new] [4, 3] [2, 1]
    const target = sizes[0]! * 2 + 10;
    const p = await mergeAppend({
      metadata: m,
      store,
      snapshotId: 5n,
      files: [file(m, "f5", "x", 5, 5)],
      merge: { minCountToMerge: 100, targetSizeBytes: target },
    });
    m = commit(m, p);
    const list = await manifestList(store, m);
    expect(list.map((mf) => [mf.addedSnapshotId, mf.addedFilesCount, mf.existingFilesCount])).toEqual([
      [5n, 1, 0],
      [5n, 0, 2],
      [5n, 0, 2],
    ]);
    expect(await liveFiles(store, m)).toEqual(["f1", "f2", "f3", "f4", "f5"]);
    const merged = await entries(store, list[2]!);
    expect(merged.map((e) => [e.snapshotId, e.sequenceNumber, e.fileSequenceNumber])).toEqual([
      [2n, 2n, 2n],
      [1n, 1n, 1n],
    ]);
  });

  it("merges per partition spec, never across specs", async () => {
    let m: TableMetadata = table(store, "specs", { properties: props });
    m = commit(
      m,
      await fastAppend({ metadata: m, store, snapshotId: 1n, files: [file(m, "p1", "x", 1, 1)] }),
    );
    // a second, unpartitioned spec
    m = { ...m, partitionSpecs: [...m.partitionSpecs, { specId: 1, fields: [] }], defaultSpecId: 1 };
    const unpartitioned = (name: string) => ({ ...file(m, name, null, 1, 1), partition: [] });
    m = commit(m, await fastAppend({ metadata: m, store, snapshotId: 2n, files: [unpartitioned("u1")] }));
    m = commit(m, await fastAppend({ metadata: m, store, snapshotId: 3n, files: [unpartitioned("u2")] }));
    const p = await mergeAppend({ metadata: m, store, snapshotId: 4n, files: [unpartitioned("u3")] });
    m = commit(m, p);
    const list = await manifestList(store, m);
    expect(list.map((mf) => [mf.partitionSpecId, mf.addedFilesCount, mf.existingFilesCount])).toEqual([
      [1, 1, 2],
      [0, 1, 0],
    ]);
    expect(await liveFiles(store, m)).toEqual(["p1", "u1", "u2", "u3"]);
  });

  it("commits on a branch, creating it from main, with the base as a requirement", async () => {
    let m = table(store, "branch");
    m = commit(m, await fastAppend({ metadata: m, store, snapshotId: 1n, files: [file(m, "a", "x", 1, 1)] }));
    const p = await mergeAppend({
      metadata: m,
      store,
      snapshotId: 2n,
      files: [file(m, "b", "x", 2, 2)],
      ref: "dev",
    });
    expect(p.requirements).toEqual([
      { type: "assert-table-uuid", uuid: "11111111-2222-3333-4444-555555555555" },
      { type: "assert-ref-snapshot-id", ref: "dev", snapshotId: null },
    ]);
    expect(p.snapshot.parentSnapshotId).toBe(1n);
    m = commit(m, p);
    expect(m.currentSnapshotId).toBe(1n);
    expect(m.refs.dev).toEqual({ snapshotId: 2n, type: "branch" });
    expect(await liveFiles(store, m, { ref: "dev" })).toEqual(["a", "b"]);
    expect(await liveFiles(store, m)).toEqual(["a"]);
    const q = await fastAppend({
      metadata: m,
      store,
      snapshotId: 3n,
      files: [file(m, "c", "x", 3, 3)],
      ref: "dev",
    });
    expect(q.requirements[1]).toEqual({ type: "assert-ref-snapshot-id", ref: "dev", snapshotId: 2n });
    expect(q.snapshot.parentSnapshotId).toBe(2n);
    // a stale base fails the requirement
    m = commit(m, q);
    expect(() => commit(m, p)).toThrow(/dev/);
    // tags are refused
    m = { ...m, refs: { ...m.refs, v1: { snapshotId: 1n, type: "tag" } } };
    await refused(
      mergeAppend({ metadata: m, store, snapshotId: 9n, files: [file(m, "z", "x", 1, 1)], ref: "v1" }),
      /v1 is a tag/,
    );
    await refused(mergeAppend({ metadata: m, store, snapshotId: 9n, files: [] }), /no data files/);
    await refused(
      mergeAppend({
        metadata: { ...m, formatVersion: 3 },
        store,
        snapshotId: 9n,
        files: [file(m, "z", "x", 1, 1)],
      }),
      /format v3/,
    );
  });
});
