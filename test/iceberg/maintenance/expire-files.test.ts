import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../../src/core/errors.ts";
import { appendRows } from "../../../src/engine/append.ts";
import { DataFileContent, EntryStatus } from "../../../src/iceberg/data-file.ts";
import { writeManifest } from "../../../src/iceberg/manifest.ts";
import { ManifestContent, readManifestList, writeManifestList } from "../../../src/iceberg/manifest-list.ts";
import { deleteFiles } from "../../../src/iceberg/maintenance/delete-files.ts";
import { deleteExpiredFiles, expiredFiles } from "../../../src/iceberg/maintenance/expire-files.ts";
import { planExpireSnapshots } from "../../../src/iceberg/maintenance/expire-snapshots.ts";
import { allFiles } from "../../../src/iceberg/maintenance/reachable-files.ts";
import { rollbackTo } from "../../../src/iceberg/maintenance/rollback.ts";
import type { TableFile } from "../../../src/iceberg/producers/metadata-file.ts";
import { planScan } from "../../../src/iceberg/scan/plan-scan.ts";
import { LocalObjectStore } from "../../../src/storage/local-object-store.ts";
import { useDuck } from "../../engine/duck.ts";
import { appendSeries, commit, removing, rowsSql } from "./tables.ts";

const { duck, warehouse } = useDuck();

/** The manifests and content files a snapshot's manifest list reaches. */
async function filesOf(store: LocalObjectStore, t: TableFile, id: bigint) {
  const s = t.metadata.snapshots.find((x) => x.snapshotId === id)!;
  const manifests = readManifestList(await store.get(s.manifestList!), s.manifestList!).manifests;
  const content: string[] = [];
  for await (const task of planScan({ metadata: t.metadata, store, snapshotId: id }))
    content.push(task.file.filePath, ...task.deletes.map((d) => d.filePath));
  return { manifests: manifests.map((m) => m.manifestPath), content };
}

/**
 * main: 1 ← 2 ← 3, rolled back to 1, then 1 ← 4. Snapshot 5 (parent 3) is staged with a position
 * delete file; 2 has a statistics file, 3 a partition-statistics file, 4 a statistics file.
 */
async function history(name: string, properties: Record<string, string> = {}) {
  const store = new LocalObjectStore(warehouse());
  const location = `file://${join(warehouse(), name)}`;
  const series = await appendSeries(
    duck(),
    store,
    location,
    [
      [0, 4],
      [4, 8],
      [8, 12],
    ],
    properties,
  );
  let t = await commit(store, series.at(-1)!, rollbackTo(series.at(-1)!.metadata, 1n), 3500);
  t = await appendRows({
    duck: duck(),
    store,
    table: t,
    source: rowsSql(100, 103),
    snapshotId: 4n,
    nowMs: 4000,
  });

  const m = t.metadata;
  const schema = m.schemas[0]!;
  const spec = m.partitionSpecs[0]!;
  const deleteFile = `${location}/data/category=c0/pos-deletes-5.parquet`;
  await store.put(deleteFile, new Uint8Array([1, 2, 3]));
  const written = writeManifest({
    location: `${location}/metadata/deletes-5-m0.avro`,
    content: ManifestContent.DELETES,
    snapshotId: 5n,
    schema,
    spec,
    entries: [
      {
        status: EntryStatus.ADDED,
        snapshotId: 5n,
        sequenceNumber: null,
        fileSequenceNumber: null,
        dataFile: {
          content: DataFileContent.POSITION_DELETES,
          filePath: deleteFile,
          fileFormat: "PARQUET",
          partition: ["c0"],
          recordCount: 1n,
          fileSizeInBytes: 3n,
        },
      },
    ],
  });
  await store.put(written.manifest.manifestPath, written.bytes);
  const three = m.snapshots.find((s) => s.snapshotId === 3n)!;
  const parentManifests = readManifestList(
    await store.get(three.manifestList!),
    three.manifestList!,
  ).manifests;
  const list = `${location}/metadata/snap-5.avro`;
  const seq = m.lastSequenceNumber + 1;
  await store.put(
    list,
    writeManifestList({
      snapshotId: 5n,
      parentSnapshotId: 3n,
      sequenceNumber: BigInt(seq),
      manifests: [written.manifest, ...parentManifests],
    }),
  );
  const stat = (id: bigint) => `${location}/metadata/stats-${id}.puffin`;
  for (const id of [2n, 4n]) await store.put(stat(id), new Uint8Array([0x50, 0x46, 0x41, 0x31]));
  const partitionStats = `${location}/metadata/partition-stats-3.parquet`;
  await store.put(partitionStats, new Uint8Array([1]));
  t = await commit(
    store,
    t,
    {
      updates: [
        {
          action: "add-snapshot",
          snapshot: {
            snapshotId: 5n,
            parentSnapshotId: 3n,
            sequenceNumber: seq,
            timestampMs: 5000,
            manifestList: list,
            summary: { operation: "delete" },
          },
        },
        ...[2n, 4n].map((id) => ({
          action: "set-statistics" as const,
          statistics: {
            snapshotId: id,
            statisticsPath: stat(id),
            fileSizeInBytes: 4,
            fileFooterSizeInBytes: 4,
            blobMetadata: [],
          },
        })),
        {
          action: "set-partition-statistics",
          partitionStatistics: { snapshotId: 3n, statisticsPath: partitionStats, fileSizeInBytes: 1 },
        },
      ],
      requirements: [],
    },
    6000,
  );
  return { store, location, t, deleteFile, stat, partitionStats, list };
}

describe("expire snapshots with their files", () => {
  it("finds the files only expired snapshots reach, commits, then deletes them", async () => {
    const { store, t, deleteFile, stat, partitionStats, list } = await history("expire");
    const before = {
      1: await filesOf(store, t, 1n),
      2: await filesOf(store, t, 2n),
      3: await filesOf(store, t, 3n),
      4: await filesOf(store, t, 4n),
    };
    const plan = planExpireSnapshots(t.metadata, { nowMs: 10_000, olderThanMs: 10_000, retainLast: 1 });
    expect([...plan.removedSnapshotIds].sort()).toEqual([1n, 2n, 3n, 5n]);

    // commit first (the requirements hold), then find the files from before and after, then delete
    const after = await commit(store, t, plan, 10_000);
    expect(after.metadata.snapshots.map((s) => s.snapshotId)).toEqual([4n]);
    const files = await expiredFiles({ before: t.metadata, after: after.metadata, store, concurrency: 2 });
    const snap = (id: bigint) => t.metadata.snapshots.find((s) => s.snapshotId === id)!;
    expect(files.manifestLists).toEqual(
      [1n, 2n, 3n]
        .map((id) => snap(id).manifestList!)
        .concat(list)
        .sort(),
    );
    // 4 carries 1's manifest; 2's and 3's own manifests and 5's delete manifest go
    const own = (b: { manifests: string[] }) => b.manifests[0]!;
    expect(before[4].manifests).toContain(own(before[1]));
    expect(files.manifests).toEqual(
      [own(before[2]), own(before[3]), `${t.metadata.location}/metadata/deletes-5-m0.avro`].sort(),
    );
    const added = (later: string[], earlier: string[]) => later.filter((f) => !earlier.includes(f)).sort();
    expect(files.dataFiles).toEqual(added(before[3].content, before[1].content));
    expect(files.dataFiles.length).toBeGreaterThan(0);
    for (const f of before[4].content) expect(files.dataFiles).not.toContain(f);
    expect(files.deleteFiles).toEqual([deleteFile]);
    expect(files.statisticsFiles).toEqual([stat(2n)]);
    expect(files.partitionStatisticsFiles).toEqual([partitionStats]);

    const report = await deleteExpiredFiles(store, after.metadata, files);
    expect(report).toEqual({ deleted: allFiles(files).length, failed: [] });
    for (const f of allFiles(files)) expect(await store.head(f)).toBeUndefined();
    // everything the retained snapshot reaches is still there, and reads
    for (const f of [...before[4].manifests, ...before[4].content, snap(4n).manifestList!, stat(4n)])
      expect(await store.head(f), f).toBeDefined();
    let rows = 0n;
    for await (const task of planScan({ metadata: after.metadata, store })) rows += task.file.recordCount;
    expect(rows).toBe(7n);

    // a second run over the same plan finds the missing files of the removed snapshots harmless
    const again = await expiredFiles({ before: t.metadata, after: after.metadata, store });
    expect(again.manifests).toEqual([]);
    expect(again.manifestLists).toEqual(files.manifestLists);
  });

  it("keeps files a retained snapshot still reaches and refuses deletion with gc.enabled=false", async () => {
    const { store, t } = await history("expire-gc", { "gc.enabled": "false" });
    // only the staged snapshot 5 goes: 3's files stay, since 3 is kept (unreferenced but young enough)
    const files = await expiredFiles({ before: t.metadata, after: removing(t.metadata, [5n]), store });
    expect(files.manifests).toEqual([`${t.metadata.location}/metadata/deletes-5-m0.avro`]);
    expect(files.dataFiles).toEqual([]);
    expect(files.deleteFiles).toHaveLength(1);
    expect(files.statisticsFiles).toEqual([]);
    // a snapshot committed concurrently, before the expiry, that uses 5's files (here its very
    // manifest list) is in the metadata after the commit: the files stay
    const removed = removing(t.metadata, [5n]);
    const five = t.metadata.snapshots.find((s) => s.snapshotId === 5n)!;
    const concurrent = { ...removed, snapshots: [...removed.snapshots, { ...five, snapshotId: 9n }] };
    expect(allFiles(await expiredFiles({ before: t.metadata, after: concurrent, store }))).toEqual([]);
    let caught: unknown;
    await deleteExpiredFiles(store, t.metadata, files).catch((e: unknown) => (caught = e));
    expect(isFloeError(caught, "BAD_REQUEST")).toBe(true);
    expect((caught as Error).message).toBe(
      `Cannot delete the files of expired snapshots of table ${t.metadata.location}: gc.enabled is false (its files may be used by other tables); set gc.enabled=true to allow deleting files`,
    );
    for (const f of allFiles(files)) expect(await store.head(f)).toBeDefined();

    const other = (await history("expire-other")).t.metadata;
    await expect(expiredFiles({ before: other, after: t.metadata, store })).rejects.toThrow(
      /Cannot find the expired files of table .*expire-gc: the metadata before the expiry is of another table/,
    );
    // a retained snapshot whose manifest list is gone: what is in use cannot be told
    const four = t.metadata.snapshots.find((s) => s.snapshotId === 4n)!;
    const bytes = await store.get(four.manifestList!);
    await store.delete(four.manifestList!);
    await expect(
      expiredFiles({ before: t.metadata, after: removing(t.metadata, [5n]), store }),
    ).rejects.toThrow(
      /Cannot tell which files of table .* are still in use: its manifest list of snapshot 4 .* is missing/,
    );
    await store.put(four.manifestList!, bytes);

    // metadata (as another writer may have left it) naming a file of another table: refused
    // before anything is read or deleted
    const foreign = `${store.root}/another-table/metadata/snap-8.avro`;
    const bad = { ...four, snapshotId: 8n, manifestList: foreign };
    const hostile = { metadata: { ...t.metadata, snapshots: [...t.metadata.snapshots, bad] } };
    await expect(expiredFiles({ before: hostile.metadata, after: t.metadata, store })).rejects.toThrow(
      `Cannot clean up files of table ${t.metadata.location}: manifest list of snapshot 8 ${foreign} lies outside the table location`,
    );
  });

  it("reports deletion failures instead of stopping", async () => {
    const store = new LocalObjectStore(warehouse());
    const ok = `${store.root}/loose/a.bin`;
    await store.put(ok, new Uint8Array([1]));
    const report = await deleteFiles(
      store,
      ["file:///not/in/this/store.bin", ok, `${store.root}/loose/missing.bin`],
      2,
    );
    expect(report.deleted).toBe(2);
    expect(report.failed).toEqual([
      { path: "file:///not/in/this/store.bin", error: expect.stringMatching(/outside the store/) },
    ]);
    expect(await store.head(ok)).toBeUndefined();
  });
});
