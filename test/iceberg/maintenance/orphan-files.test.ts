import { utimes } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../../src/core/errors.ts";
import { expiredFiles } from "../../../src/iceberg/maintenance/expire-files.ts";
import { removeOrphanFiles } from "../../../src/iceberg/maintenance/orphan-files.ts";
import { allFiles } from "../../../src/iceberg/maintenance/reachable-files.ts";
import { rollbackTo } from "../../../src/iceberg/maintenance/rollback.ts";
import { planScan } from "../../../src/iceberg/scan/plan-scan.ts";
import { LocalObjectStore } from "../../../src/storage/local-object-store.ts";
import { useDuck } from "../../engine/duck.ts";
import { appendSeries, commit } from "./tables.ts";

const { duck, warehouse } = useDuck();
const DAY = 86_400_000;

async function setTime(path: string, ms: number): Promise<void> {
  await utimes(fileURLToPath(path), ms / 1000, ms / 1000);
}

describe("remove orphan files", () => {
  it("finds what nothing reaches, older than the cut-off, and deletes it only when asked", async () => {
    const store = new LocalObjectStore(warehouse());
    const location = `file://${join(warehouse(), "orphans")}`;
    // a short metadata log: older metadata files are reached through the logs of older files
    const series = await appendSeries(
      duck(),
      store,
      location,
      [
        [0, 4],
        [4, 8],
        [8, 12],
      ],
      { "write.metadata.previous-versions-max": "1" },
    );
    let t = series.at(-1)!;
    expect(t.metadata.metadataLog).toHaveLength(1);
    // 2 and 3 leave main and are removed from the metadata without deleting their files
    t = await commit(store, t, rollbackTo(t.metadata, 1n));
    const before = t.metadata;
    t = await commit(store, t, {
      updates: [{ action: "remove-snapshots", snapshotIds: [2n, 3n] }],
      requirements: [],
    });
    const files = await expiredFiles({ before, after: t.metadata, store });

    const planted = [
      `${location}/data/category=c0/stray.parquet`,
      `${location}/metadata/stray.avro`,
      `${location}/other/x`,
    ];
    const hidden = [`${location}/data/_SUCCESS`, `${location}/data/.x.crc`, `${location}/_tmp/y`];
    const partitionDir = `${location}/data/_p=1/z.parquet`;
    const young = `${location}/data/young.parquet`;
    await store.put(`${location}/metadata/version-hint.text`, new TextEncoder().encode("5"));
    for (const f of [...planted, ...hidden, partitionDir, young]) await store.put(f, new Uint8Array([7]));
    const now = Date.now() + 30 * DAY;
    await setTime(young, now - DAY);

    const expected = [...allFiles(files), ...planted, partitionDir].sort();
    const dry = await removeOrphanFiles({ store, table: t, nowMs: now });
    expect(dry.dryRun).toBe(true);
    expect(dry.olderThanMs).toBe(now - 3 * DAY);
    expect(dry.orphans).toEqual(expected);
    expect(dry.report).toEqual({ deleted: 0, failed: [] });
    for (const f of expected) expect(await store.head(f)).toBeDefined();

    // a later cut-off takes the young file too, but only with force
    await expect(
      removeOrphanFiles({ store, table: t, nowMs: now, olderThanMs: now - DAY + 1 }),
    ).rejects.toThrow(
      /Cannot remove orphan files of table .* newer than one day .*pass force only when no commit can be running/,
    );
    const forced = await removeOrphanFiles({ store, table: t, nowMs: now, olderThanMs: now, force: true });
    expect(forced.orphans).toEqual([...expected, young].sort());

    const done = await removeOrphanFiles({ store, table: t, nowMs: now, dryRun: false, concurrency: 3 });
    expect(done.report).toEqual({ deleted: expected.length, failed: [] });
    for (const f of expected) expect(await store.head(f)).toBeUndefined();
    for (const f of [
      young,
      ...hidden,
      `${location}/metadata/version-hint.text`,
      t.location,
      ...series.map((s) => s.location),
    ])
      expect(await store.head(f), f).toBeDefined();
    let rows = 0n;
    for await (const task of planScan({ metadata: t.metadata, store })) rows += task.file.recordCount;
    expect(rows).toBe(4n);
    expect((await removeOrphanFiles({ store, table: t, nowMs: now })).orphans).toEqual([]);
  });

  it("refuses deletion when gc.enabled=false and lists under write.data.path too", async () => {
    const store = new LocalObjectStore(warehouse());
    const location = `file://${join(warehouse(), "orphans-gc")}`;
    const dataPath = `file://${join(warehouse(), "elsewhere-data")}`;
    const [t0] = await appendSeries(duck(), store, location, [], {
      "gc.enabled": "false",
      "write.data.path": dataPath,
    });
    const stray = `${dataPath}/stray.parquet`;
    await store.put(stray, new Uint8Array([1]));
    const now = Date.now() + 10 * DAY;
    expect((await removeOrphanFiles({ store, table: t0!, nowMs: now })).orphans).toEqual([stray]);
    let caught: unknown;
    await removeOrphanFiles({ store, table: t0!, nowMs: now, dryRun: false }).catch(
      (e: unknown) => (caught = e),
    );
    expect(isFloeError(caught, "BAD_REQUEST")).toBe(true);
    expect((caught as Error).message).toMatch(/Cannot remove orphan files of table .*: gc.enabled is false/);
    expect(await store.head(stray)).toBeDefined();
  });
});
