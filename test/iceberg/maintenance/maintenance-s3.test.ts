import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { deleteExpiredFiles, expiredFiles } from "../../../src/iceberg/maintenance/expire-files.ts";
import { planExpireSnapshots } from "../../../src/iceberg/maintenance/expire-snapshots.ts";
import { removeOrphanFiles } from "../../../src/iceberg/maintenance/orphan-files.ts";
import { allFiles } from "../../../src/iceberg/maintenance/reachable-files.ts";
import { rollbackTo } from "../../../src/iceberg/maintenance/rollback.ts";
import { planScan } from "../../../src/iceberg/scan/plan-scan.ts";
import { S3ObjectStore } from "../../../src/storage/s3-object-store.ts";
import { useDuck } from "../../engine/duck.ts";
import { appendSeries, commit } from "./tables.ts";

const { duck } = useDuck();
const s3 = inject("s3");
const DAY = 86_400_000;

describe("maintenance on S3", () => {
  it("expires snapshots with their files and removes orphans, listing the bucket with modification times", async () => {
    const store = new S3ObjectStore(`s3://${s3.bucket}/${randomUUID()}`, {
      endpoint: s3.endpoint,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    });
    try {
      // the location spelled s3a://, as Hadoop writers do: paths still compare equal
      const location = `${store.root.replace(/^s3:/, "s3a:")}/t`;
      const series = await appendSeries(duck(), store, location, [
        [0, 4],
        [4, 8],
        [8, 12],
      ]);
      let t = await commit(store, series.at(-1)!, rollbackTo(series.at(-1)!.metadata, 1n));
      const plan = planExpireSnapshots(t.metadata, { nowMs: 10_000, olderThanMs: 10_000, retainLast: 1 });
      expect([...plan.removedSnapshotIds].sort()).toEqual([2n, 3n]);
      const before = t.metadata;
      t = await commit(store, t, plan);
      const files = await expiredFiles({ before, after: t.metadata, store });
      expect(files.manifestLists).toHaveLength(2);
      expect(files.manifests).toHaveLength(2);
      expect(files.dataFiles.length).toBeGreaterThanOrEqual(2);
      expect(await deleteExpiredFiles(store, t.metadata, files)).toEqual({
        deleted: allFiles(files).length,
        failed: [],
      });
      for (const f of allFiles(files)) expect(await store.head(f)).toBeUndefined();
      let rows = 0n;
      for await (const task of planScan({ metadata: t.metadata, store })) rows += task.file.recordCount;
      expect(rows).toBe(4n);

      const stray = `${store.root}/t/data/category=c1/stray.parquet`;
      await store.put(stray, new Uint8Array([1, 2]));
      const now = Date.now();
      // just written: too young for the default three days
      expect((await removeOrphanFiles({ store, table: t, nowMs: now })).orphans).toEqual([]);
      const later = now + 30 * DAY;
      const found = await removeOrphanFiles({ store, table: t, nowMs: later, dryRun: false });
      expect(found.orphans).toEqual([stray]);
      expect(found.report).toEqual({ deleted: 1, failed: [] });
      expect(await store.head(stray)).toBeUndefined();
      expect((await removeOrphanFiles({ store, table: t, nowMs: later })).orphans).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
