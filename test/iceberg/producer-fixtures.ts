import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import { applyUpdates } from "../../src/iceberg/apply-updates.ts";
import { newTableMetadata } from "../../src/iceberg/create-table.ts";
import { type DataFile, type ManifestEntry } from "../../src/iceberg/data-file.ts";
import { readManifest } from "../../src/iceberg/manifest.ts";
import { type ManifestFile, readManifestList } from "../../src/iceberg/manifest-list.ts";
import type { ProducedSnapshot } from "../../src/iceberg/producers/snapshot-producer.ts";
import { checkRequirements } from "../../src/iceberg/requirements.ts";
import { planScan } from "../../src/iceberg/scan/plan-scan.ts";
import { schemaFromJson } from "../../src/iceberg/schema.ts";
import { toSingleValue } from "../../src/iceberg/single-value.ts";
import type { TableMetadata } from "../../src/iceberg/table-metadata.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";

/** A local warehouse for one test file, removed afterwards. */
export function useStore(prefix: string): LocalObjectStore {
  const dir = mkdtempSync(join(tmpdir(), `floe-${prefix}-`));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return new LocalObjectStore(dir);
}

const schema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "category", required: false, type: "string" },
  ],
});

/** A v2 (or `formatVersion`) table partitioned by `identity(category)` (or unpartitioned). */
export function table(
  store: LocalObjectStore,
  name: string,
  opts: { formatVersion?: number; partitioned?: boolean; properties?: Record<string, string> } = {},
): TableMetadata {
  return newTableMetadata({
    schema,
    spec: {
      fields:
        opts.partitioned === false
          ? []
          : [{ sourceId: 2, name: "category", transform: { kind: "identity" } }],
    },
    location: `${store.root}/${name}`,
    formatVersion: opts.formatVersion ?? 2,
    tableUuid: "11111111-2222-3333-4444-555555555555",
    properties: opts.properties ?? {},
    nowMs: 1_000,
  });
}

/** A data file whose ids lie in [lo, hi] (its metrics say so), in partition `category`. */
export function file(
  m: TableMetadata,
  name: string,
  category: string | null,
  lo: number,
  hi: number,
  size = 100n,
): DataFile {
  const rows = BigInt(hi - lo + 1);
  return {
    content: 0,
    filePath: `${m.location}/data/${name}.parquet`,
    fileFormat: "PARQUET",
    partition: m.partitionSpecs[0]!.fields.length === 0 ? [] : [category],
    recordCount: rows,
    fileSizeInBytes: size,
    valueCounts: new Map([
      [1, rows],
      [2, rows],
    ]),
    nullValueCounts: new Map([
      [1, 0n],
      [2, category === null ? rows : 0n],
    ]),
    lowerBounds: new Map([[1, toSingleValue({ type: "long" }, BigInt(lo))]]),
    upperBounds: new Map([[1, toSingleValue({ type: "long" }, BigInt(hi))]]),
  };
}

/** Applies a produced snapshot to its base after checking its requirements. */
export function commit(m: TableMetadata, p: ProducedSnapshot, nowMs = p.snapshot.timestampMs): TableMetadata {
  checkRequirements(m, p.requirements);
  return applyUpdates(m, p.updates, { nowMs });
}

export async function manifestList(store: LocalObjectStore, m: TableMetadata, snapshotId?: bigint) {
  const s = m.snapshots.find((x) => x.snapshotId === (snapshotId ?? m.currentSnapshotId))!;
  return readManifestList(await store.get(s.manifestList!), s.manifestList!).manifests;
}

export async function entries(store: LocalObjectStore, mf: ManifestFile): Promise<ManifestEntry[]> {
  return [...readManifest(await store.get(mf.manifestPath), mf.manifestPath, { manifest: mf }).entries];
}

/** The short names of the live data files a scan plans, sorted. */
export async function liveFiles(
  store: LocalObjectStore,
  m: TableMetadata,
  opts: { ref?: string } = {},
): Promise<string[]> {
  const out: string[] = [];
  for await (const t of planScan({ metadata: m, store, ...(opts.ref ? { ref: opts.ref } : {}) }))
    out.push(t.file.filePath.replace(/^.*\//, "").replace(/\.parquet$/, ""));
  return out.sort();
}

export async function refused(p: Promise<unknown>, message: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isFloeError(e, "BAD_REQUEST"), String(e)).toBe(true);
  expect((e as Error).message).toMatch(message);
}
