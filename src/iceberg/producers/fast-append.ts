import { randomUUID } from "node:crypto";
import { badRequest } from "../../core/errors.ts";
import type { ObjectStore } from "../../storage/object-store.ts";
import { type DataFile, DataFileContent, EntryStatus } from "../data-file.ts";
import { writeManifest } from "../manifest.ts";
import { type ManifestFile, ManifestContent, readManifestList, writeManifestList } from "../manifest-list.ts";
import { partitionPath } from "../partition-path.ts";
import { partitionType } from "../partition-spec.ts";
import type { Snapshot, SnapshotSummary } from "../snapshot.ts";
import { MAIN_BRANCH } from "../snapshot-ref.ts";
import type { TableMetadata } from "../table-metadata.ts";
import type { TableUpdate } from "../updates.ts";

export interface FastAppendOptions {
  /** The table as it is now; the new snapshot's parent is its current snapshot (`main`). */
  readonly metadata: TableMetadata;
  /** Where the new manifest and manifest list are written, and the parent's manifest list is read. */
  readonly store: ObjectStore;
  readonly snapshotId: bigint;
  /** Data files to add (content data), all written with partition spec `specId`. */
  readonly files: readonly DataFile[];
  /** The spec the files were written with; default the table's default spec. */
  readonly specId?: number;
  /** The snapshot's timestamp; default `Date.now()`. */
  readonly nowMs?: number;
  /** Names the new manifest and list (Java's commit UUID); default a random UUID. */
  readonly commitUuid?: string;
}

export interface FastAppend {
  /** `add-snapshot` (operation `append`) and `set-snapshot-ref` main, for `applyUpdates`. */
  readonly updates: readonly TableUpdate[];
  readonly snapshot: Snapshot;
  /** The new manifest's list entry, with the snapshot's sequence number assigned. */
  readonly manifest: ManifestFile;
}

/**
 * A fast append (Java's `FastAppend`): writes one manifest holding the new files as ADDED entries
 * (snapshot id set, sequence numbers left null to inherit the snapshot's), and a manifest list of
 * that manifest followed by the parent snapshot's manifests unchanged — no existing manifest is
 * rewritten. Returns the updates that commit the snapshot on `main`: its sequence number is
 * `last-sequence-number + 1` (0 in v1), its summary counts what was added and carries the totals
 * on from the parent's summary (spec "Snapshot Summary"; a total the parent lacks is left out, as
 * Java does). Nothing is committed: the caller applies the updates and writes the metadata.
 */
export async function fastAppend(opts: FastAppendOptions): Promise<FastAppend> {
  const { metadata: m, store, snapshotId } = opts;
  const what = `Cannot append to table ${m.location}`;
  if (m.formatVersion > 2) throw badRequest(`${what}: writing format v${m.formatVersion} is not supported`);
  if (opts.files.length === 0) throw badRequest(`${what}: no data files to add`);
  if (m.snapshots.some((s) => s.snapshotId === snapshotId))
    throw badRequest(`${what}: snapshot id ${snapshotId} already exists`);
  const specId = opts.specId ?? m.defaultSpecId;
  const spec = m.partitionSpecs.find((s) => s.specId === specId);
  if (!spec) throw badRequest(`${what}: unknown partition spec ${specId}`);
  const schema = m.schemas.find((s) => s.schemaId === m.currentSchemaId);
  if (!schema) throw badRequest(`${what}: current schema ${m.currentSchemaId} not found`);
  const width = partitionType(spec, schema).fields.length;
  for (const f of opts.files) {
    if (f.content !== DataFileContent.DATA)
      throw badRequest(`${what}: ${f.filePath} is a delete file; a fast append adds data files only`);
    if (f.partition.length !== width)
      throw badRequest(
        `${what}: ${f.filePath} has a partition tuple of ${f.partition.length} values; spec ${specId} has ${width} fields`,
      );
  }

  const v1 = m.formatVersion === 1;
  const formatVersion = v1 ? 1 : 2;
  const parent =
    m.currentSnapshotId === undefined
      ? undefined
      : m.snapshots.find((s) => s.snapshotId === m.currentSnapshotId);
  const sequenceNumber = v1 ? 0 : m.lastSequenceNumber + 1;
  const nowMs = opts.nowMs ?? Date.now();
  const uuid = opts.commitUuid ?? randomUUID();
  const folder = metadataFolder(m);

  const written = writeManifest({
    formatVersion,
    location: `${folder}/${uuid}-m0.avro`,
    content: ManifestContent.DATA,
    snapshotId,
    schema,
    spec,
    entries: opts.files.map((dataFile) => ({
      status: EntryStatus.ADDED,
      snapshotId,
      sequenceNumber: null,
      fileSequenceNumber: null,
      dataFile,
    })),
  });
  const manifest: ManifestFile = {
    ...written.manifest,
    sequenceNumber: BigInt(sequenceNumber),
    minSequenceNumber: written.manifest.minSequenceNumber ?? BigInt(sequenceNumber),
  };
  const parentManifests = parent ? await manifestsOf(parent, store, what) : [];
  const listLocation = `${folder}/snap-${snapshotId}-1-${uuid}.avro`;
  const list = writeManifestList({
    formatVersion,
    snapshotId,
    parentSnapshotId: parent?.snapshotId ?? null,
    sequenceNumber: BigInt(sequenceNumber),
    manifests: [written.manifest, ...parentManifests],
  });
  await store.put(written.manifest.manifestPath, written.bytes);
  await store.put(listLocation, list);

  const snapshot: Snapshot = {
    snapshotId,
    ...(parent ? { parentSnapshotId: parent.snapshotId } : {}),
    sequenceNumber,
    timestampMs: nowMs,
    manifestList: listLocation,
    summary: appendSummary(opts.files, parent?.summary, (f) => partitionPath(spec, schema, f.partition)),
    schemaId: schema.schemaId,
  };
  return {
    updates: [
      { action: "add-snapshot", snapshot },
      { action: "set-snapshot-ref", refName: MAIN_BRANCH, ref: { snapshotId, type: "branch" } },
    ],
    snapshot,
    manifest,
  };
}

function metadataFolder(m: TableMetadata): string {
  return (m.properties["write.metadata.path"] ?? `${m.location.replace(/\/+$/, "")}/metadata`).replace(
    /\/+$/,
    "",
  );
}

/** The manifests of a snapshot, from its manifest list (v1 inline manifest lists are refused). */
async function manifestsOf(s: Snapshot, store: ObjectStore, what: string): Promise<readonly ManifestFile[]> {
  if (s.manifestList === undefined)
    throw badRequest(
      `${what}: its current snapshot ${s.snapshotId} lists manifests inline (v1), not supported`,
    );
  return readManifestList(await store.get(s.manifestList), s.manifestList).manifests;
}

// Java's SnapshotSummary: the totals carried from the parent, in this order.
const TOTALS = [
  ["total-records", "added-records", "deleted-records"],
  ["total-files-size", "added-files-size", "removed-files-size"],
  ["total-data-files", "added-data-files", "deleted-data-files"],
  ["total-delete-files", "added-delete-files", "removed-delete-files"],
  ["total-position-deletes", "added-position-deletes", "removed-position-deletes"],
  ["total-equality-deletes", "added-equality-deletes", "removed-equality-deletes"],
] as const;

/**
 * The summary of an append, as Java's `SnapshotSummary.Builder` writes it: `added-data-files`,
 * `added-records`, `added-files-size`, `changed-partition-count`, then each `total-*` = the
 * parent's total + added − removed (the first snapshot's parent totals are 0; a parent summary
 * without the total leaves it out).
 */
function appendSummary(
  files: readonly DataFile[],
  parent: SnapshotSummary | undefined,
  pathOf: (f: DataFile) => string,
): SnapshotSummary {
  const added: Record<string, bigint> = {
    "added-data-files": BigInt(files.length),
    "added-records": files.reduce((n, f) => n + f.recordCount, 0n),
    "added-files-size": files.reduce((n, f) => n + f.fileSizeInBytes, 0n),
  };
  // an unpartitioned table's one partition has the path "": it counts 1, as in Java
  const partitions = new Set(files.map(pathOf));
  const out: Record<string, string> = { operation: "append" };
  for (const [k, v] of Object.entries(added)) out[k] = String(v);
  out["changed-partition-count"] = String(partitions.size);
  for (const [total, plus, minus] of TOTALS) {
    const before = parent === undefined ? "0" : parent[total];
    if (before === undefined || !/^-?\d+$/.test(before)) continue;
    out[total] = String(BigInt(before) + (added[plus] ?? 0n) - (added[minus] ?? 0n));
  }
  return out as SnapshotSummary;
}
