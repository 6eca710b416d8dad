import { describe, expect, it } from "vitest";
import { type DataFile, EntryStatus } from "../../src/iceberg/data-file.ts";
import { and, eq, gt, isNull, lt, ltEq } from "../../src/iceberg/expressions/expression.ts";
import { deleteByFilter, rowDelta } from "../../src/iceberg/producers/delete.ts";
import { fastAppend } from "../../src/iceberg/producers/fast-append.ts";
import {
  overwriteByFilter,
  overwriteFiles,
  replacePartitions,
} from "../../src/iceberg/producers/overwrite.ts";
import { rewriteFiles } from "../../src/iceberg/producers/rewrite-files.ts";
import { planScan } from "../../src/iceberg/scan/plan-scan.ts";
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

const store = useStore("overwrite-delete");

/** A table with a(x: 1-5), b(x: 6-10) in snapshot 1 and c(y: 1-10), n(null: 20-29) in snapshot 2. */
async function base(name: string, opts: Parameters<typeof table>[2] = {}): Promise<TableMetadata> {
  let m = table(store, name, opts);
  m = commit(
    m,
    await fastAppend({
      metadata: m,
      store,
      snapshotId: 1n,
      files: [file(m, "a", "x", 1, 5), file(m, "b", "x", 6, 10)],
      nowMs: 2_000,
    }),
  );
  m = commit(
    m,
    await fastAppend({
      metadata: m,
      store,
      snapshotId: 2n,
      files: [file(m, "c", "y", 1, 10), file(m, "n", null, 20, 29)],
      nowMs: 3_000,
    }),
  );
  return m;
}

function positionDeletes(
  m: TableMetadata,
  name: string,
  category: string | null,
  rows: bigint,
  target?: string,
): DataFile {
  return {
    content: 1,
    filePath: `${m.location}/data/${name}-deletes.parquet`,
    fileFormat: "PARQUET",
    partition: [category],
    recordCount: rows,
    fileSizeInBytes: 50n,
    ...(target ? { referencedDataFile: `${m.location}/data/${target}.parquet` } : {}),
  };
}

describe("overwriteByFilter", () => {
  it("removes the files whose rows all match, adds the new ones, and keeps the rest's history", async () => {
    let m = await base("overwrite");
    const p = await overwriteByFilter({
      metadata: m,
      store,
      snapshotId: 3n,
      filter: eq("category", "x"),
      files: [file(m, "d", "x", 1, 3)],
      nowMs: 4_000,
    });
    expect(
      p.removed.map((r) => [r.file.filePath.slice(-9), r.specId, r.sequenceNumber, r.snapshotId]),
    ).toEqual([
      ["a.parquet", 0, 1n, 1n],
      ["b.parquet", 0, 1n, 1n],
    ]);
    expect(p.snapshot.summary).toEqual({
      operation: "overwrite",
      "added-data-files": "1",
      "deleted-data-files": "2",
      "added-records": "3",
      "deleted-records": "10",
      "added-files-size": "100",
      "removed-files-size": "200",
      "changed-partition-count": "1",
      "total-records": "23",
      "total-files-size": "300",
      "total-data-files": "3",
      "total-delete-files": "0",
      "total-position-deletes": "0",
      "total-equality-deletes": "0",
    });
    m = commit(m, p);
    expect(await liveFiles(store, m)).toEqual(["c", "d", "n"]);
    // the new manifest first, then snapshot 2's untouched, then snapshot 1's rewritten with DELETED entries
    const list = await manifestList(store, m);
    expect(
      list.map((mf) => [mf.addedSnapshotId, mf.addedFilesCount, mf.existingFilesCount, mf.deletedFilesCount]),
    ).toEqual([
      [3n, 1, 0, 0],
      [2n, 2, 0, 0],
      [3n, 0, 0, 2],
    ]);
    const rewritten = await entries(store, list[2]!);
    expect(rewritten.map((e) => [e.status, e.snapshotId, e.sequenceNumber, e.fileSequenceNumber])).toEqual([
      [EntryStatus.DELETED, 3n, 1n, 1n],
      [EntryStatus.DELETED, 3n, 1n, 1n],
    ]);
    // the next commit drops the manifest with no live file
    m = commit(m, await deleteByFilter({ metadata: m, store, snapshotId: 4n, filter: isNull("category") }));
    expect((await manifestList(store, m)).map((mf) => mf.addedSnapshotId)).toEqual([3n, 4n]);
    expect(await liveFiles(store, m)).toEqual(["c", "d"]);
    // time travel still sees the old files
    const old: string[] = [];
    for await (const t of planScan({ metadata: m, store, snapshotId: 2n }))
      old.push(t.file.filePath.slice(-9));
    expect(old.sort()).toEqual(["a.parquet", "b.parquet", "c.parquet", "n.parquet"]);
  });

  it("keeps EXISTING entries' snapshot ids and sequence numbers when a manifest loses some files", async () => {
    let m = await base("partial-manifest");
    m = commit(
      m,
      await overwriteByFilter({
        metadata: m,
        store,
        snapshotId: 3n,
        filter: and(eq("category", "x"), ltEq("id", 5)),
      }),
    );
    expect(await liveFiles(store, m)).toEqual(["b", "c", "n"]);
    const list = await manifestList(store, m);
    const rewritten = list.find((mf) => mf.deletedFilesCount === 1)!;
    expect(rewritten).toMatchObject({
      addedSnapshotId: 3n,
      sequenceNumber: 3n,
      minSequenceNumber: 1n,
      existingFilesCount: 1,
    });
    expect(
      (await entries(store, rewritten)).map((e) => [
        e.dataFile.filePath.slice(-9),
        e.status,
        e.snapshotId,
        e.sequenceNumber,
      ]),
    ).toEqual([
      ["a.parquet", EntryStatus.DELETED, 3n, 1n],
      ["b.parquet", EntryStatus.EXISTING, 1n, 1n],
    ]);
    const tasks = [];
    for await (const t of planScan({ metadata: m, store }))
      tasks.push([t.file.filePath.slice(-9), t.dataSequenceNumber]);
    expect(tasks).toContainEqual(["b.parquet", 1n]);
  });

  it("refuses a file that only some rows match, and bad input", async () => {
    const m = await base("refuse");
    const before = await store.list(`${m.location}/metadata/`);
    await refused(
      overwriteByFilter({ metadata: m, store, snapshotId: 3n, filter: lt("id", 3) }),
      /some, but not all, rows match filter id < 3: .*\.parquet/,
    );
    // nothing was written
    expect(await store.list(`${m.location}/metadata/`)).toEqual(before);
    await refused(
      overwriteByFilter({ metadata: m, store, snapshotId: 3n, filter: eq("nope", 1) }),
      /column nope: not found/,
    );
    await refused(
      overwriteByFilter({
        metadata: m,
        store,
        snapshotId: 3n,
        filter: eq("category", "x"),
        files: [file(m, "z", "x", 1, 1)],
        specId: 7,
      }),
      /unknown partition spec 7/,
    );
    await refused(
      overwriteByFilter({
        metadata: { ...m, formatVersion: 3 },
        store,
        snapshotId: 3n,
        filter: eq("category", "x"),
      }),
      /format v3 is not supported/,
    );
    await refused(
      overwriteByFilter({ metadata: m, store, snapshotId: 2n, filter: eq("category", "x") }),
      /already exists/,
    );
  });
});

describe("replacePartitions and overwriteFiles", () => {
  it("replaces the partitions of the new files", async () => {
    let m = await base("replace");
    const p = await replacePartitions({
      metadata: m,
      store,
      snapshotId: 3n,
      files: [file(m, "d", "x", 1, 1), file(m, "e", null, 1, 1)],
    });
    expect(p.snapshot.summary?.["deleted-data-files"]).toBe("3");
    m = commit(m, p);
    expect(await liveFiles(store, m)).toEqual(["c", "d", "e"]);
    await refused(replacePartitions({ metadata: m, store, snapshotId: 4n, files: [] }), /no data files/);
  });

  it("replaces named files and refuses names the table does not hold", async () => {
    let m = await base("files");
    const c = `${m.location}/data/c.parquet`;
    m = commit(
      m,
      await overwriteFiles({
        metadata: m,
        store,
        snapshotId: 3n,
        removeFiles: [c],
        files: [file(m, "c2", "y", 1, 9)],
      }),
    );
    expect(await liveFiles(store, m)).toEqual(["a", "b", "c2", "n"]);
    await refused(
      overwriteFiles({ metadata: m, store, snapshotId: 4n, removeFiles: [c] }),
      /missing required files to delete: .*c\.parquet/,
    );
    await refused(
      overwriteFiles({ metadata: m, store, snapshotId: 4n, removeFiles: [] }),
      /no files to remove or add/,
    );
  });
});

describe("deleteByFilter and rowDelta", () => {
  it("deletes whole files by metrics (operation delete)", async () => {
    let m = await base("delete");
    const p = await deleteByFilter({ metadata: m, store, snapshotId: 3n, filter: ltEq("id", 10) });
    expect(p.removed.map((r) => r.file.filePath.slice(-9)).sort()).toEqual([
      "a.parquet",
      "b.parquet",
      "c.parquet",
    ]);
    expect(p.snapshot.summary).toMatchObject({
      operation: "delete",
      "deleted-data-files": "3",
      "deleted-records": "20",
      "total-records": "10",
      "changed-partition-count": "2",
    });
    m = commit(m, p);
    expect(await liveFiles(store, m)).toEqual(["n"]);
    await refused(
      deleteByFilter({ metadata: m, store, snapshotId: 4n, filter: gt("id", 25) }),
      /some, but not all/,
    );
  });

  it("adds position delete files that scans apply, and drops them with their partition", async () => {
    let m = await base("delta");
    const p = await rowDelta({
      metadata: m,
      store,
      snapshotId: 3n,
      deleteFiles: [{ specId: 0, files: [positionDeletes(m, "c", "y", 2n, "c")] }],
    });
    expect(p.snapshot.summary).toEqual({
      operation: "delete",
      "added-position-delete-files": "1",
      "added-delete-files": "1",
      "added-files-size": "50",
      "added-position-deletes": "2",
      "changed-partition-count": "1",
      "total-records": "30",
      "total-files-size": "450",
      "total-data-files": "4",
      "total-delete-files": "1",
      "total-position-deletes": "2",
      "total-equality-deletes": "0",
    });
    m = commit(m, p);
    const deletes = new Map<string, string[]>();
    for await (const t of planScan({ metadata: m, store }))
      deletes.set(
        t.file.filePath.slice(-9),
        t.deletes.map((d) => d.filePath.slice(-17)),
      );
    expect(deletes.get("c.parquet")).toEqual(["c-deletes.parquet"]);
    expect(deletes.get("a.parquet")).toEqual([]);
    // deleting partition y removes the data file and its delete file
    const d = await deleteByFilter({ metadata: m, store, snapshotId: 4n, filter: eq("category", "y") });
    expect(d.snapshot.summary).toMatchObject({
      "deleted-data-files": "1",
      "removed-position-delete-files": "1",
      "removed-delete-files": "1",
      "removed-position-deletes": "2",
      "total-delete-files": "0",
      "total-position-deletes": "0",
      "total-records": "20",
    });
    await refused(rowDelta({ metadata: m, store, snapshotId: 5n, deleteFiles: [] }), /no files to add/);
    await refused(
      rowDelta({
        metadata: m,
        store,
        snapshotId: 5n,
        deleteFiles: [{ specId: 0, files: [file(m, "q", "x", 1, 1)] }],
      }),
      /not a delete file/,
    );
    const v1 = await base("delta-v1", { formatVersion: 1 });
    await refused(
      rowDelta({
        metadata: v1,
        store,
        snapshotId: 5n,
        deleteFiles: [{ specId: 0, files: [positionDeletes(v1, "c", "y", 1n)] }],
      }),
      /format v1 has no delete files/,
    );
  });
});

describe("rewriteFiles", () => {
  it("replaces files with the starting sequence number as their data sequence number", async () => {
    let m = await base("rewrite");
    const loc = (n: string) => `${m.location}/data/${n}.parquet`;
    const p = await rewriteFiles({
      metadata: m,
      store,
      snapshotId: 3n,
      removeFiles: [loc("a"), loc("b")],
      files: [file(m, "ab", "x", 1, 10, 150n)],
      dataSequenceNumber: 1n,
    });
    expect(p.snapshot.summary).toMatchObject({
      operation: "replace",
      "added-data-files": "1",
      "deleted-data-files": "2",
      "added-records": "10",
      "deleted-records": "10",
      "total-records": "30",
      "total-data-files": "3",
    });
    m = commit(m, p);
    expect(m.lastSequenceNumber).toBe(3);
    const seqs = new Map<string, bigint>();
    for await (const t of planScan({ metadata: m, store }))
      seqs.set(t.file.filePath.slice(-10), t.dataSequenceNumber);
    expect(seqs.get("ab.parquet")).toBe(1n);
    const list = await manifestList(store, m);
    const added = (await entries(store, list[0]!))[0]!;
    expect([added.status, added.sequenceNumber, added.fileSequenceNumber]).toEqual([
      EntryStatus.ADDED,
      1n,
      3n,
    ]);
    await refused(
      rewriteFiles({ metadata: m, store, snapshotId: 4n, removeFiles: [] }),
      /no files to rewrite/,
    );
    await refused(
      rewriteFiles({ metadata: m, store, snapshotId: 4n, removeFiles: [loc("c")], dataSequenceNumber: 9n }),
      /after the table's last sequence number/,
    );
    await refused(
      rewriteFiles({ metadata: m, store, snapshotId: 4n, removeFiles: [loc("a")] }),
      /missing required files/,
    );
  });
});
