import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import type { DataFile, ManifestEntry } from "../../src/iceberg/data-file.ts";
import {
  and,
  eq,
  type Expression,
  expressionToString,
  gt,
  isIn,
  lt,
  notNull,
  or,
} from "../../src/iceberg/expressions/expression.ts";
import { writeManifest } from "../../src/iceberg/manifest.ts";
import { type ManifestFile, writeManifestList } from "../../src/iceberg/manifest-list.ts";
import { type PartitionSpec, partitionSpecToJson } from "../../src/iceberg/partition-spec.ts";
import { type FileScanTask, planScan, type ScanOptions } from "../../src/iceberg/scan/plan-scan.ts";
import { type Schema, schemaToJson } from "../../src/iceberg/schema.ts";
import { toSingleValue } from "../../src/iceberg/single-value.ts";
import { type TableMetadata, tableMetadataFromJson } from "../../src/iceberg/table-metadata.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";
import type { ObjectStore } from "../../src/storage/object-store.ts";

const schema0: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: "id", required: true, type: { type: "long" } },
    { id: 2, name: "category", required: false, type: { type: "string" } },
    { id: 3, name: "ts", required: false, type: { type: "timestamptz" } },
  ],
};
const schema1: Schema = {
  ...schema0,
  schemaId: 1,
  fields: [...schema0.fields, { id: 4, name: "note", required: false, type: { type: "string" } }],
};
const unpartitioned: PartitionSpec = { specId: 0, fields: [] };
const spec: PartitionSpec = {
  specId: 1,
  fields: [
    { sourceId: 2, fieldId: 1000, name: "category", transform: { kind: "identity" } },
    { sourceId: 3, fieldId: 1001, name: "ts_day", transform: { kind: "day" } },
  ],
};

const DAY = 86_400_000_000n;
const T1 = 1_700_000_000_000;
const T2 = T1 + 60_000;
const T3 = T2 + 60_000;

const dir = mkdtempSync(join(tmpdir(), "floe-scan-"));
const local = new LocalObjectStore(dir);
const reads: string[] = [];
// The real store, with its reads recorded to see which manifests were skipped.
const store: ObjectStore = Object.assign(Object.create(local) as ObjectStore, {
  get: (p: string) => {
    reads.push(p.slice(p.lastIndexOf("/") + 1));
    return local.get(p);
  },
});
let metadata: TableMetadata;
const path = (name: string) => `${store.root}/t/${name}`;

/** A data file with ids lo..hi in one partition, with the metrics a writer records. */
function dataFile(name: string, category: string, day: number, lo: bigint, hi: bigint): DataFile {
  return {
    content: 0,
    filePath: path(`data/${name}.parquet`),
    fileFormat: "PARQUET",
    partition: [category, day],
    recordCount: hi - lo + 1n,
    fileSizeInBytes: 100n,
    valueCounts: new Map([[1, hi - lo + 1n]]),
    nullValueCounts: new Map([[1, 0n]]),
    lowerBounds: new Map([
      [1, toSingleValue({ type: "long" }, lo)],
      [3, toSingleValue({ type: "timestamptz" }, BigInt(day) * DAY)],
    ]),
    upperBounds: new Map([
      [1, toSingleValue({ type: "long" }, hi)],
      [3, toSingleValue({ type: "timestamptz" }, BigInt(day) * DAY + 1000n)],
    ]),
  };
}

const A = dataFile("a", "a", 0, 1n, 10n);
const B = dataFile("b", "b", 1, 11n, 20n);
const C = dataFile("c", "a", 0, 21n, 30n);
const D = dataFile("d", "a", 0, 31n, 40n);
const deleteFile = (
  name: string,
  content: 1 | 2,
  partition: DataFile["partition"],
  over: Partial<DataFile> = {},
) =>
  ({
    content,
    filePath: path(`data/${name}`),
    fileFormat: "PARQUET",
    partition,
    recordCount: 1n,
    fileSizeInBytes: 10n,
    ...(content === 2 ? { equalityIds: [1] } : {}),
    ...over,
  }) satisfies DataFile;
/** Position deletes in partition (a, 0), no referenced file: apply to A and C. */
const POS = deleteFile("pos.parquet", 1, ["a", 0]);
/** Equality deletes of id 3 in (a, 0) at sequence number 2: apply to A (1) but not C (2). */
const EQ = deleteFile("eq.parquet", 2, ["a", 0], {
  valueCounts: new Map([[1, 1n]]),
  nullValueCounts: new Map([[1, 0n]]),
  lowerBounds: new Map([[1, toSingleValue({ type: "long" }, 3n)]]),
  upperBounds: new Map([[1, toSingleValue({ type: "long" }, 3n)]]),
});
/** Global equality deletes (unpartitioned spec): every older data file. */
const GLOBAL = deleteFile("global.parquet", 2, []);
/** Position deletes for B only. */
const FOR_B = deleteFile("for-b.parquet", 1, ["b", 1], { referencedDataFile: B.filePath });
/** A deletion vector for C: replaces POS for C. */
const DV_C = deleteFile("dv-c.puffin", 1, ["a", 0], {
  fileFormat: "puffin",
  referencedDataFile: C.filePath,
  contentOffset: 4n,
  contentSizeInBytes: 40n,
});
/** Position deletes whose file_path bounds exclude every data file. */
const ELSEWHERE = deleteFile("elsewhere.parquet", 1, ["a", 0], {
  lowerBounds: new Map([[2147483546, toSingleValue({ type: "string" }, "s3://other/x")]]),
  upperBounds: new Map([[2147483546, toSingleValue({ type: "string" }, "s3://other/y")]]),
});

const added = (f: DataFile): ManifestEntry => ({
  status: 1,
  snapshotId: null,
  sequenceNumber: null,
  fileSequenceNumber: null,
  dataFile: f,
});

async function manifest(
  name: string,
  snapshotId: bigint,
  content: 0 | 1,
  entries: ManifestEntry[],
  s: PartitionSpec = spec,
): Promise<ManifestFile> {
  const w = writeManifest({
    location: path(`metadata/${name}.avro`),
    content,
    snapshotId,
    schema: schema0,
    spec: s,
    entries,
  });
  await store.put(w.manifest.manifestPath, w.bytes);
  return w.manifest;
}

async function manifestList(name: string, snapshotId: bigint, seq: bigint, manifests: ManifestFile[]) {
  const bytes = writeManifestList({
    snapshotId,
    parentSnapshotId: snapshotId === 1n ? null : snapshotId - 1n,
    sequenceNumber: seq,
    manifests,
  });
  await store.put(path(`metadata/${name}.avro`), bytes);
  return path(`metadata/${name}.avro`);
}

beforeAll(async () => {
  // Snapshot 1 (sequence 1): A and B.
  const m1 = await manifest("m1", 1n, 0, [added(A), added(B)]);
  const list1 = await manifestList("snap-1", 1n, 1n, [m1]);
  // Snapshot 2 (sequence 2): C added, D (added at 1) deleted, and delete files.
  const m1Committed = { ...m1, sequenceNumber: 1n, minSequenceNumber: 1n };
  const m2 = await manifest("m2", 2n, 0, [
    added(C),
    { status: 2, snapshotId: 2n, sequenceNumber: 1n, fileSequenceNumber: 1n, dataFile: D },
  ]);
  const d1 = await manifest("d1", 2n, 1, [POS, EQ, FOR_B, DV_C, ELSEWHERE].map(added));
  const d0 = await manifest("d0", 2n, 1, [added(GLOBAL)], unpartitioned);
  const list2 = await manifestList("snap-2", 2n, 2n, [m1Committed, m2, d1, d0]);
  // Snapshot 3 on branch dev (sequence 3): nothing but snapshot 1's files.
  const list3 = await manifestList("snap-3", 3n, 3n, [m1Committed]);

  const snapshot = (id: bigint, seq: number, ts: number, list: string, schemaId: number) => ({
    "snapshot-id": id,
    ...(id > 1n ? { "parent-snapshot-id": id === 3n ? 1n : id - 1n } : {}),
    "sequence-number": seq,
    "timestamp-ms": ts,
    "manifest-list": list,
    summary: { operation: "append" },
    "schema-id": schemaId,
  });
  metadata = tableMetadataFromJson({
    "format-version": 2,
    "table-uuid": "9c12d441-03fe-4693-9a96-a0705ddf69c1",
    location: path(""),
    "last-sequence-number": 3,
    "last-updated-ms": T3,
    "last-column-id": 4,
    schemas: [schemaToJson(schema0), schemaToJson(schema1)],
    "current-schema-id": 1,
    "partition-specs": [partitionSpecToJson(unpartitioned), partitionSpecToJson(spec)],
    "default-spec-id": 1,
    "last-partition-id": 1001,
    properties: {},
    "current-snapshot-id": 2n,
    snapshots: [snapshot(1n, 1, T1, list1, 0), snapshot(2n, 2, T2, list2, 1), snapshot(3n, 3, T3, list3, 1)],
    "snapshot-log": [
      { "snapshot-id": 1n, "timestamp-ms": T1 },
      { "snapshot-id": 2n, "timestamp-ms": T2 },
    ],
    "metadata-log": [],
    "sort-orders": [{ "order-id": 0, fields: [] }],
    "default-sort-order-id": 0,
    refs: {
      main: { "snapshot-id": 2n, type: "branch" },
      dev: { "snapshot-id": 3n, type: "branch" },
      v1: { "snapshot-id": 1n, type: "tag" },
    },
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const name = (p: string) => p.slice(p.lastIndexOf("/") + 1);

async function plan(opts: Partial<ScanOptions> = {}): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const tasks: FileScanTask[] = [];
  for await (const t of planScan({ metadata, store, ...opts })) tasks.push(t);
  for (const t of tasks) out[name(t.file.filePath)] = t.deletes.map((d) => name(d.filePath));
  return out;
}

describe("planScan", () => {
  it("gives every live data file with the deletes that apply by partition and sequence number", async () => {
    expect(await plan()).toEqual({
      // POS and EQ (same partition, older data), the global deletes; not ELSEWHERE (path bounds).
      "a.parquet": ["pos.parquet", "eq.parquet", "global.parquet"],
      "b.parquet": ["for-b.parquet", "global.parquet"],
      // Same sequence number: position deletes apply (the DV instead of POS), equality deletes not.
      "c.parquet": ["dv-c.puffin"],
    });
  });

  it("prunes manifests by partition summaries and files by partition and metrics", async () => {
    reads.length = 0;
    expect(Object.keys(await plan({ filter: eq("category", "b") }))).toEqual(["b.parquet"]);
    // m2 holds only category a; d0 (unpartitioned) cannot be pruned by partition.
    expect(reads.sort()).toEqual(["d0.avro", "d1.avro", "m1.avro", "snap-2.avro"]);
    expect(Object.keys(await plan({ filter: gt("id", 25n) }))).toEqual(["c.parquet"]);
    expect(Object.keys(await plan({ filter: lt("ts", "1970-01-02T00:00:00Z") }))).toEqual([
      "a.parquet",
      "c.parquet",
    ]);
    expect(Object.keys(await plan({ filter: and(eq("category", "a"), lt("id", 5)) }))).toEqual(["a.parquet"]);
    expect(Object.keys(await plan({ filter: or(eq("id", 15), eq("id", 25)) }))).toEqual([
      "b.parquet",
      "c.parquet",
    ]);
    expect(await plan({ filter: isIn("category", ["x", "y"]) })).toEqual({});
    expect(Object.keys(await plan({ filter: notNull("note"), concurrency: 1 }))).toEqual([
      "a.parquet",
      "b.parquet",
      "c.parquet",
    ]);
  });

  it("leaves out equality deletes whose rows the filter rules out", async () => {
    expect(await plan({ filter: gt("id", 5n) })).toEqual({
      "a.parquet": ["pos.parquet", "global.parquet"],
      "b.parquet": ["for-b.parquet", "global.parquet"],
      "c.parquet": ["dv-c.puffin"],
    });
    expect((await plan({ filter: eq("id", 3n) }))["a.parquet"]).toContain("eq.parquet");
  });

  it("gives each task the filter left once its identity partition values are known", async () => {
    const residuals: Record<string, string> = {};
    const filter = or(and(eq("category", "a"), lt("id", 5n)), eq("category", "b"));
    for await (const t of planScan({ metadata, store, filter }))
      residuals[name(t.file.filePath)] = expressionToString(t.residual);
    expect(residuals).toEqual({ "a.parquet": "id < 5", "b.parquet": "true", "c.parquet": "id < 5" });
  });

  it("reads the same tasks whatever the concurrency", async () => {
    const one = await plan({ concurrency: 1 });
    expect(await plan({ concurrency: 16 })).toEqual(one);
  });

  it("travels in time by snapshot id, tag, branch and timestamp", async () => {
    const atOne = { "a.parquet": [], "b.parquet": [] };
    expect(await plan({ snapshotId: 1n })).toEqual(atOne);
    expect(await plan({ ref: "v1" })).toEqual(atOne);
    expect(await plan({ ref: "dev" })).toEqual(atOne);
    expect(await plan({ asOfTimestampMs: T2 - 1 })).toEqual(atOne);
    expect(Object.keys(await plan({ asOfTimestampMs: T2 }))).toContain("c.parquet");
    // A tag is read with its snapshot's schema, a branch with the table's.
    expect(planScan({ metadata, store, ref: "v1" }).schema.schemaId).toBe(0);
    expect(planScan({ metadata, store, ref: "dev" }).schema.schemaId).toBe(1);
    expect(
      planScan({ metadata, store, select: ["id", "note"] }).projection.fields.map((f) => f.name),
    ).toEqual(["id", "note"]);
  });

  it("says what is wrong with a selection", () => {
    const kind = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isFloeError(e) ? e.kind : "other";
      }
      return undefined;
    };
    expect(kind(() => planScan({ metadata, store, snapshotId: 9n }))).toBe("NOT_FOUND");
    expect(kind(() => planScan({ metadata, store, ref: "nope" }))).toBe("NOT_FOUND");
    expect(kind(() => planScan({ metadata, store, asOfTimestampMs: T1 - 1 }))).toBe("NOT_FOUND");
    expect(kind(() => planScan({ metadata, store, ref: "main", snapshotId: 1n }))).toBe("BAD_REQUEST");
    expect(kind(() => planScan({ metadata, store, ref: "v1", filter: eq("note", "x") }))).toBe("BAD_REQUEST");
    expect(kind(() => planScan({ metadata, store, select: ["nope"] }))).toBe("BAD_REQUEST");
  });
});

describe("planScan across partition specs and manifest layouts", () => {
  it("keeps files of an older unpartitioned spec that the partition filter cannot judge", async () => {
    const U = { ...dataFile("u", "-", 0, 100n, 200n), partition: [] };
    const mu = await manifest("mu", 4n, 0, [added(U)], unpartitioned);
    const m1 = { ...(await manifest("m1-again", 1n, 0, [added(A), added(B)])), sequenceNumber: 1n };
    const list = await manifestList("snap-4", 4n, 4n, [mu, m1]);
    const evolved: TableMetadata = {
      ...metadata,
      snapshots: [
        ...metadata.snapshots,
        {
          snapshotId: 4n,
          sequenceNumber: 4,
          timestampMs: T3 + 1,
          manifestList: list,
          summary: { operation: "append" },
        },
      ],
    };
    const scan = (filter: Expression) =>
      plan({ metadata: evolved, snapshotId: 4n, filter }).then((t) => Object.keys(t).sort());
    expect(await scan(eq("category", "b"))).toEqual(["b.parquet", "u.parquet"]);
    expect(await scan(gt("id", 150n))).toEqual(["u.parquet"]);
    expect(await scan(lt("id", 5n))).toEqual(["a.parquet"]);
  });

  it("reads v1 snapshots that list their manifests inline", async () => {
    const m = await manifest("inline", 5n, 0, [added(A), added(C)]);
    const inline: TableMetadata = {
      ...metadata,
      snapshots: [
        ...metadata.snapshots,
        { snapshotId: 5n, sequenceNumber: 0, timestampMs: T3 + 2, manifests: [m.manifestPath] },
      ],
    };
    expect(await plan({ metadata: inline, snapshotId: 5n, filter: gt("id", 20n) })).toEqual({
      "c.parquet": [],
    });
  });

  it("fails the iteration with NOT_FOUND when a manifest is missing", async () => {
    const list = await manifestList("snap-6", 6n, 6n, [
      { ...(await manifest("m6", 6n, 0, [added(A)])), manifestPath: path("metadata/gone.avro") },
    ]);
    const broken: TableMetadata = {
      ...metadata,
      snapshots: [
        ...metadata.snapshots,
        { snapshotId: 6n, sequenceNumber: 6, timestampMs: T3 + 3, manifestList: list },
      ],
    };
    await expect(plan({ metadata: broken, snapshotId: 6n, concurrency: 2 })).rejects.toMatchObject({
      kind: "NOT_FOUND",
    });
  });

  it("plans nothing for a table without snapshots", async () => {
    const empty: TableMetadata = {
      ...metadata,
      currentSnapshotId: undefined,
      snapshots: [],
      refs: {},
      snapshotLog: [],
    };
    expect(await plan({ metadata: empty })).toEqual({});
    expect(await plan({ metadata: empty, ref: "main" })).toEqual({});
  });
});
