import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import { applyUpdates } from "../../src/iceberg/apply-updates.ts";
import { newTableMetadata } from "../../src/iceberg/create-table.ts";
import { type DataFile, EntryStatus } from "../../src/iceberg/data-file.ts";
import { eq } from "../../src/iceberg/expressions/expression.ts";
import { readManifest } from "../../src/iceberg/manifest.ts";
import { readManifestList } from "../../src/iceberg/manifest-list.ts";
import { metadataVersion } from "../../src/iceberg/metadata-location.ts";
import { fastAppend } from "../../src/iceberg/producers/fast-append.ts";
import { readTableFile, writeNextMetadataFile } from "../../src/iceberg/producers/metadata-file.ts";
import { planScan } from "../../src/iceberg/scan/plan-scan.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import type { TableMetadata } from "../../src/iceberg/table-metadata.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";

const dir = mkdtempSync(join(tmpdir(), "floe-fast-append-"));
const store = new LocalObjectStore(dir);
afterAll(() => rm(dir, { recursive: true, force: true }));

const schema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "category", required: false, type: "string" },
  ],
});

function table(name: string, formatVersion = 2, partitioned = true): TableMetadata {
  return newTableMetadata({
    schema,
    spec: {
      fields: partitioned ? [{ sourceId: 2, name: "category", transform: { kind: "identity" } }] : [],
    },
    location: `${store.root}/${name}`,
    formatVersion,
    tableUuid: "11111111-2222-3333-4444-555555555555",
    nowMs: 1_000,
  });
}

function file(m: TableMetadata, name: string, category: string | null, rows: bigint, size = 100n): DataFile {
  return {
    content: 0,
    filePath: `${m.location}/data/${name}.parquet`,
    fileFormat: "PARQUET",
    partition: m.partitionSpecs[0]!.fields.length === 0 ? [] : [category],
    recordCount: rows,
    fileSizeInBytes: size,
  };
}

async function append(m: TableMetadata, id: bigint, files: DataFile[], nowMs: number) {
  const a = await fastAppend({ metadata: m, store, snapshotId: id, files, nowMs, commitUuid: `uuid-${id}` });
  return { ...a, metadata: applyUpdates(m, a.updates, { nowMs }) };
}

describe("fastAppend", () => {
  it("adds a snapshot with the summary, sequence numbers and manifest list of two appends", async () => {
    const m0 = table("t");
    const first = [file(m0, "a", "x", 10n, 1000n), file(m0, "b", "y", 5n, 500n), file(m0, "c", "x", 1n, 10n)];
    const s1 = await append(m0, 1n, first, 2_000);
    expect(s1.snapshot).toMatchObject({ snapshotId: 1n, sequenceNumber: 1, timestampMs: 2_000, schemaId: 0 });
    expect(s1.snapshot.parentSnapshotId).toBeUndefined();
    expect(s1.snapshot.summary).toEqual({
      operation: "append",
      "added-data-files": "3",
      "added-records": "16",
      "added-files-size": "1510",
      "changed-partition-count": "2",
      "total-records": "16",
      "total-files-size": "1510",
      "total-data-files": "3",
      "total-delete-files": "0",
      "total-position-deletes": "0",
      "total-equality-deletes": "0",
    });
    expect(s1.metadata).toMatchObject({ currentSnapshotId: 1n, lastSequenceNumber: 1, lastUpdatedMs: 2_000 });
    expect(s1.metadata.refs.main).toEqual({ snapshotId: 1n, type: "branch" });
    expect(s1.snapshot.manifestList).toBe(`${m0.location}/metadata/snap-1-1-uuid-1.avro`);

    const s2 = await append(s1.metadata, 2n, [file(m0, "d", null, 7n, 70n)], 3_000);
    expect(s2.snapshot).toMatchObject({ snapshotId: 2n, parentSnapshotId: 1n, sequenceNumber: 2 });
    expect(s2.snapshot.summary).toEqual({
      operation: "append",
      "added-data-files": "1",
      "added-records": "7",
      "added-files-size": "70",
      "changed-partition-count": "1",
      "total-records": "23",
      "total-files-size": "1580",
      "total-data-files": "4",
      "total-delete-files": "0",
      "total-position-deletes": "0",
      "total-equality-deletes": "0",
    });
    expect(s2.metadata.lastSequenceNumber).toBe(2);
    expect(s2.metadata.snapshotLog.map((e) => e.snapshotId)).toEqual([1n, 2n]);

    // the list: the new manifest first, then the parent's manifest unchanged
    const list = readManifestList(await store.get(s2.snapshot.manifestList!), "list");
    expect(list.metadata.get("snapshot-id")).toBe("2");
    expect(list.metadata.get("parent-snapshot-id")).toBe("1");
    expect(list.metadata.get("sequence-number")).toBe("2");
    expect(list.manifests.map((mf) => [mf.addedSnapshotId, mf.sequenceNumber, mf.addedFilesCount])).toEqual([
      [2n, 2n, 1],
      [1n, 1n, 3],
    ]);
    const firstList = readManifestList(await store.get(s1.snapshot.manifestList!), "list");
    expect(list.manifests[1]).toEqual(firstList.manifests[0]);
    expect(list.manifests[0]).toEqual(s2.manifest);
    expect(list.manifests[0]!.partitions![0]!.containsNull).toBe(true);

    // entries: ADDED, with the snapshot id, sequence numbers inherited from the list
    const entry = list.manifests[1]!;
    const read = readManifest(await store.get(entry.manifestPath), entry.manifestPath, { manifest: entry });
    expect(read.entries.map((e) => [e.status, e.snapshotId, e.sequenceNumber, e.fileSequenceNumber])).toEqual(
      [
        [EntryStatus.ADDED, 1n, 1n, 1n],
        [EntryStatus.ADDED, 1n, 1n, 1n],
        [EntryStatus.ADDED, 1n, 1n, 1n],
      ],
    );
    const raw = readManifest(await store.get(entry.manifestPath), entry.manifestPath);
    expect(raw.entries.map((e) => [e.snapshotId, e.sequenceNumber, e.fileSequenceNumber])).toEqual([
      [1n, null, null],
      [1n, null, null],
      [1n, null, null],
    ]);

    // read back by planScan: every file with its data sequence number; pruned by partition
    const all = [];
    for await (const t of planScan({ metadata: s2.metadata, store }))
      all.push([t.file.filePath.slice(-9), t.dataSequenceNumber]);
    expect(all).toEqual([
      ["d.parquet", 2n],
      ["a.parquet", 1n],
      ["b.parquet", 1n],
      ["c.parquet", 1n],
    ]);
    const xs = [];
    for await (const t of planScan({ metadata: s2.metadata, store, filter: eq("category", "x") }))
      xs.push(t.file.filePath.slice(-9));
    expect(xs).toEqual(["a.parquet", "c.parquet"]);
    // time travel to the first snapshot
    let n = 0;
    for await (const _ of planScan({ metadata: s2.metadata, store, snapshotId: 1n })) n++;
    expect(n).toBe(3);
  });

  it("counts an unpartitioned table's one partition, and writes v1 with sequence number 0", async () => {
    const m0 = table("v1", 1, false);
    const s1 = await append(m0, 7n, [file(m0, "a", null, 3n), file(m0, "b", null, 4n)], 2_000);
    expect(s1.snapshot.sequenceNumber).toBe(0);
    expect(s1.snapshot.summary?.["changed-partition-count"]).toBe("1");
    expect(s1.metadata.lastSequenceNumber).toBe(0);
    const s2 = await append(s1.metadata, 8n, [file(m0, "c", null, 5n)], 3_000);
    const list = readManifestList(await store.get(s2.snapshot.manifestList!), "list");
    expect(list.formatVersion).toBe(1);
    expect(list.manifests.map((mf) => mf.addedSnapshotId)).toEqual([8n, 7n]);
    expect(s2.snapshot.summary?.["total-records"]).toBe("12");
    let rows = 0n;
    for await (const t of planScan({ metadata: s2.metadata, store })) rows += t.file.recordCount;
    expect(rows).toBe(12n);
  });

  it("leaves out totals the parent's summary lacks", async () => {
    const m0 = table("partial");
    const s1 = await append(m0, 1n, [file(m0, "a", "x", 3n)], 2_000);
    const { "total-records": _dropped, ...summary } = s1.snapshot.summary!;
    const m1 = {
      ...s1.metadata,
      snapshots: [{ ...s1.snapshot, summary: summary as typeof summary & { operation: "append" } }],
    };
    const s2 = await append(m1, 2n, [file(m0, "b", "x", 4n)], 3_000);
    expect(s2.snapshot.summary?.["total-records"]).toBeUndefined();
    expect(s2.snapshot.summary?.["total-data-files"]).toBe("2");
  });

  it("refuses what it cannot append", async () => {
    const m0 = table("bad");
    const s1 = await append(m0, 1n, [file(m0, "a", "x", 3n)], 2_000);
    const refused = async (p: Promise<unknown>, message: RegExp) => {
      const e = await p.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isFloeError(e, "BAD_REQUEST")).toBe(true);
      expect((e as Error).message).toMatch(message);
    };
    const base = { metadata: s1.metadata, store, snapshotId: 2n };
    await refused(fastAppend({ ...base, files: [] }), /no data files/);
    await refused(fastAppend({ ...base, snapshotId: 1n, files: [file(m0, "b", "x", 1n)] }), /already exists/);
    await refused(
      fastAppend({ ...base, specId: 5, files: [file(m0, "b", "x", 1n)] }),
      /unknown partition spec 5/,
    );
    await refused(fastAppend({ ...base, files: [{ ...file(m0, "b", "x", 1n), partition: [] }] }), /0 values/);
    await refused(fastAppend({ ...base, files: [{ ...file(m0, "b", "x", 1n), content: 1 }] }), /delete file/);
    const v3 = { ...s1.metadata, formatVersion: 3 as const };
    await refused(fastAppend({ ...base, metadata: v3, files: [file(m0, "b", "x", 1n)] }), /format v3/);
  });
});

describe("writeNextMetadataFile", () => {
  it("numbers metadata files and logs the previous one", async () => {
    const m0 = table("files");
    const t0 = await writeNextMetadataFile(store, undefined, m0);
    expect(metadataVersion(t0.location)).toBe(0);
    expect(t0.location.startsWith(`${m0.location}/metadata/00000-`)).toBe(true);
    const s1 = await append(m0, 1n, [file(m0, "a", "x", 3n)], 2_000);
    const t1 = await writeNextMetadataFile(store, t0, s1.metadata);
    expect(metadataVersion(t1.location)).toBe(1);
    expect(t1.metadata.metadataLog).toEqual([{ metadataFile: t0.location, timestampMs: 1_000 }]);
    expect(await readTableFile(store, t1.location)).toEqual(t1);
  });
});
