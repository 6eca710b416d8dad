import { randomUUID } from "node:crypto";
import { badRequest } from "../../core/errors.ts";
import type { ObjectStore } from "../../storage/object-store.ts";
import { type DataFile, DataFileContent, EntryStatus, type ManifestEntry } from "../data-file.ts";
import { readManifest, writeManifest } from "../manifest.ts";
import { type ManifestFile, ManifestContent, readManifestList, writeManifestList } from "../manifest-list.ts";
import { type PartitionSpec, partitionType } from "../partition-spec.ts";
import type { TableRequirement } from "../requirements.ts";
import type { Schema } from "../schema.ts";
import { mapBounded } from "../scan/bounded.ts";
import type { Operation, Snapshot } from "../snapshot.ts";
import { MAIN_BRANCH, type SnapshotRef } from "../snapshot-ref.ts";
import { checkFileVersion, tableFileCheck } from "../table-files.ts";
import type { TableMetadata } from "../table-metadata.ts";
import type { TableUpdate } from "../updates.ts";
import { type MergeSettings, packEnd } from "./merge-manifests.ts";
import { SummaryBuilder } from "./snapshot-summary.ts";

/** What every snapshot producer takes: the table, where its files live, and the new snapshot. */
export interface ProducerOptions {
  /** The table as it is now; the new snapshot's parent is the head of `ref`. */
  readonly metadata: TableMetadata;
  /** Where new manifests and the manifest list are written, and the parent's are read. */
  readonly store: ObjectStore;
  readonly snapshotId: bigint;
  /**
   * The branch to commit on (default `main`). A branch that does not exist yet is created, its
   * first snapshot's parent being `main`'s current snapshot (as Java does). Tags are refused.
   */
  readonly ref?: string;
  /** The snapshot's timestamp; default `Date.now()`. */
  readonly nowMs?: number;
  /** Names the new manifests and list (Java's commit UUID); default a random UUID. */
  readonly commitUuid?: string;
}

/** A live file a commit removed, with the spec and sequence numbers it had. */
export interface RemovedFile {
  readonly file: DataFile;
  readonly specId: number;
  readonly sequenceNumber: bigint | null;
  readonly snapshotId: bigint | null;
}

/** What a producer returns: the updates and requirements of one commit, and what it wrote. */
export interface ProducedSnapshot {
  /** `add-snapshot` and `set-snapshot-ref` (the branch), for `applyUpdates` / the commit path. */
  readonly updates: readonly TableUpdate[];
  /** `assert-table-uuid` (when the table has one) and `assert-ref-snapshot-id` of the base. */
  readonly requirements: readonly TableRequirement[];
  readonly snapshot: Snapshot;
  /** The new manifest list's entries, sequence numbers assigned. */
  readonly manifests: readonly ManifestFile[];
  /** Files this commit wrote (manifests and the manifest list): garbage if the commit fails. */
  readonly writtenFiles: readonly string[];
  /** Live files of the parent that the snapshot removes. */
  readonly removed: readonly RemovedFile[];
}

/** Files written with one partition spec. */
export interface SpecFiles {
  readonly specId: number;
  readonly files: readonly DataFile[];
}

/** How a producer picks the parent's live files to remove. */
export interface FileRemoval {
  /** Whether a parent manifest may hold a file to remove, from its list entry; default yes. */
  readonly mayContain?: (manifest: ManifestFile, spec: PartitionSpec) => boolean;
  /** Whether to remove a live entry of a parent manifest; it may throw to refuse the commit. */
  readonly removes: (entry: ManifestEntry, spec: PartitionSpec) => boolean;
  /** Checks what was removed before anything is written (that every named file was found). */
  readonly verify?: (removed: readonly RemovedFile[]) => void;
}

/** The changes of one snapshot, as the operations (append, overwrite, delete, replace) describe them. */
export interface SnapshotChanges {
  readonly operation: Operation;
  /** Names the operation in errors: `Cannot <verb> table …`. */
  readonly verb: string;
  /** Data and delete files to add, all written with partition spec `specId`. */
  readonly added?: readonly DataFile[];
  /** Default the table's default spec. */
  readonly specId?: number;
  /** Further files to add, of other specs (delete files go in their data files' spec). */
  readonly addedInSpecs?: readonly SpecFiles[];
  /**
   * The data sequence number of the added data files (a rewrite keeps its starting snapshot's, so
   * that equality deletes committed since still apply); default the new snapshot's.
   */
  readonly dataSequenceNumber?: bigint;
  readonly removal?: FileRemoval;
  /** Merge small manifests (Java's `MergeAppend`); default no merging. */
  readonly merge?: MergeSettings;
  /**
   * Keep the parent's manifests that list no live file (fast append keeps every parent manifest,
   * as Java's `FastAppend`); default they are left out.
   */
  readonly keepEmptyManifests?: boolean;
}

/** A manifest of this commit, not yet stored. */
interface Pending {
  readonly kind: "pending";
  readonly spec: PartitionSpec;
  readonly content: ManifestContent;
  readonly entries: readonly ManifestEntry[];
  location: string;
  bytes: Uint8Array;
  manifest: ManifestFile;
}
interface Parent {
  readonly kind: "parent";
  readonly manifest: ManifestFile;
}
type Item = Pending | Parent;

/**
 * The shared core of every snapshot producer (Java's `SnapshotProducer` with
 * `MergingSnapshotProducer`'s manifest filtering and merging). It
 * - checks the table (format v1 or v2, a new snapshot id, a branch) and the files to add (a spec the
 *   table has, tuples of its width, no delete files in v1);
 * - writes the added data files in one manifest and the delete files in another, as ADDED entries
 *   (sequence numbers null, inherited from the manifest list; a rewrite's data files carry
 *   `dataSequenceNumber`);
 * - rewrites each parent manifest that loses a file: the removed entries DELETED with the new
 *   snapshot id, the others EXISTING, both keeping their snapshot ids and sequence numbers; untouched
 *   manifests are carried over as they are;
 * - optionally merges small manifests of a spec (`merge-manifests.ts`);
 * - writes the manifest list (new manifests first) and returns the snapshot (sequence number
 *   `last-sequence-number + 1`, 0 in v1), with Java's summary, the updates that set it on the branch
 *   and the requirement that the branch still points at the parent.
 * Nothing is committed; the files written are listed for clean-up if the commit fails.
 */
export async function produceSnapshot(
  opts: ProducerOptions,
  changes: SnapshotChanges,
): Promise<ProducedSnapshot> {
  const { metadata: m, store, snapshotId } = opts;
  const what = `Cannot ${changes.verb} table ${m.location}`;
  if (m.formatVersion > 2) throw badRequest(`${what}: writing format v${m.formatVersion} is not supported`);
  if (m.snapshots.some((s) => s.snapshotId === snapshotId))
    throw badRequest(`${what}: snapshot id ${snapshotId} already exists`);
  const refName = opts.ref ?? MAIN_BRANCH;
  const baseRef: SnapshotRef | undefined = m.refs[refName];
  if (baseRef?.type === "tag") throw badRequest(`${what}: ${refName} is a tag; commits go to branches`);
  const parentId = baseRef ? baseRef.snapshotId : m.currentSnapshotId;
  const parent = parentId === undefined ? undefined : m.snapshots.find((s) => s.snapshotId === parentId);
  if (parentId !== undefined && !parent) throw badRequest(`${what}: snapshot ${parentId} not found`);
  const schema = m.schemas.find((s) => s.schemaId === m.currentSchemaId);
  if (!schema) throw badRequest(`${what}: current schema ${m.currentSchemaId} not found`);
  const specOf = (id: number, where: string): PartitionSpec => {
    const spec = m.partitionSpecs.find((s) => s.specId === id);
    if (!spec) throw badRequest(`${what}: ${where}unknown partition spec ${id}`);
    return spec;
  };
  const v1 = m.formatVersion === 1;
  const groups = [
    ...((changes.added ?? []).length > 0
      ? [{ specId: changes.specId ?? m.defaultSpecId, files: changes.added ?? [] }]
      : []),
    ...(changes.addedInSpecs ?? []).filter((g) => g.files.length > 0),
  ].map((g) => ({ spec: specOf(g.specId, ""), files: g.files }));
  const check = tableFileCheck(m);
  for (const { spec, files } of groups) {
    const width = partitionType(spec, schema).fields.length;
    for (const f of files) {
      check(f.filePath, `${what}: ${f.content === DataFileContent.DATA ? "data" : "delete"} file`);
      if (f.content !== DataFileContent.DATA && v1)
        throw badRequest(`${what}: ${f.filePath} is a delete file; format v1 has no delete files`);
      if (f.partition.length !== width)
        throw badRequest(
          `${what}: ${f.filePath} has a partition tuple of ${f.partition.length} values; spec ${spec.specId} has ${width} fields`,
        );
    }
  }

  const formatVersion = v1 ? 1 : 2;
  const sequenceNumber = v1 ? 0 : m.lastSequenceNumber + 1;
  const uuid = opts.commitUuid ?? randomUUID();
  const folder = metadataFolder(m);
  let count = 0;
  const pending = (spec: PartitionSpec, content: ManifestContent, entries: ManifestEntry[]): Pending => {
    const location = `${folder}/${uuid}-m${count++}.avro`;
    const written = writeManifest({ formatVersion, location, content, snapshotId, schema, spec, entries });
    return { kind: "pending", spec, content, entries, location, ...written };
  };
  const summary = new SummaryBuilder();

  const newItems: Pending[] = [];
  for (const content of [ManifestContent.DATA, ManifestContent.DELETES])
    for (const { spec, files: all } of groups) {
      const files = all.filter((f) => (f.content === DataFileContent.DATA) === (content === 0));
      if (files.length === 0) continue;
      for (const f of files) summary.added(f, spec, schema);
      const seq = content === ManifestContent.DATA ? (changes.dataSequenceNumber ?? null) : null;
      newItems.push(
        pending(
          spec,
          content,
          files.map((dataFile) => ({
            status: EntryStatus.ADDED,
            snapshotId,
            sequenceNumber: seq,
            fileSequenceNumber: null,
            dataFile,
          })),
        ),
      );
    }

  // The parent's manifests, those that lose files rewritten. Read before anything is written: a
  // parent that cannot be read (or names files outside the table) leaves no file behind.
  let parentManifests = parent ? await manifestsOf(parent, store, what, m) : [];
  if (!changes.keepEmptyManifests)
    parentManifests = parentManifests.filter((mf) => mf.addedFilesCount !== 0 || mf.existingFilesCount !== 0);
  const removed: RemovedFile[] = [];
  const removal = changes.removal;
  const filtered: Item[] = [];
  const readParent = async (mf: ManifestFile): Promise<Item> => {
    const spec = specOf(mf.partitionSpecId, `manifest ${mf.manifestPath} has `);
    if (!removal || (removal.mayContain && !removal.mayContain(mf, spec)))
      return { kind: "parent", manifest: mf };
    const entries = await liveEntries(mf, spec, schema, store);
    const gone = entries.map((e) => removal.removes(e, spec));
    if (!gone.includes(true)) return { kind: "parent", manifest: mf };
    const out = entries.map((e, i): ManifestEntry => {
      if (!gone[i]) return { ...e, status: EntryStatus.EXISTING };
      summary.removed(e.dataFile, spec, schema);
      removed.push({
        file: e.dataFile,
        specId: spec.specId,
        sequenceNumber: e.sequenceNumber,
        snapshotId: e.snapshotId,
      });
      return { ...e, status: EntryStatus.DELETED, snapshotId };
    });
    return pending(spec, mf.content, out);
  };
  for await (const item of mapBounded(parentManifests, 8, readParent)) filtered.push(item);

  removal?.verify?.(removed);
  let items: Item[] = [...newItems, ...filtered];
  if (changes.merge) {
    const merged: Item[] = [];
    for (const content of [ManifestContent.DATA, ManifestContent.DELETES]) {
      const group = items.filter((i) => contentOf(i) === content);
      const ctx: MergeContext = {
        snapshotId,
        specOf: (id) => specOf(id, ""),
        write: (spec, entries) => pending(spec, content, entries),
        readLive: (mf) => liveEntries(mf, specOf(mf.partitionSpecId, ""), schema, store),
      };
      merged.push(...(await mergeGroups(group, changes.merge, ctx)));
    }
    items = merged;
  }

  const written: string[] = [];
  const manifests: ManifestFile[] = [];
  for (const item of items) {
    if (item.kind === "parent") {
      manifests.push(item.manifest);
      continue;
    }
    await store.put(item.location, item.bytes);
    written.push(item.location);
    manifests.push(item.manifest);
  }
  const listLocation = `${folder}/snap-${snapshotId}-1-${uuid}.avro`;
  const list = writeManifestList({
    formatVersion,
    snapshotId,
    parentSnapshotId: parent?.snapshotId ?? null,
    sequenceNumber: BigInt(sequenceNumber),
    manifests,
  });
  await store.put(listLocation, list);
  written.push(listLocation);

  const snapshot: Snapshot = {
    snapshotId,
    ...(parent ? { parentSnapshotId: parent.snapshotId } : {}),
    sequenceNumber,
    timestampMs: opts.nowMs ?? Date.now(),
    manifestList: listLocation,
    summary: summary.build(changes.operation, parent?.summary),
    schemaId: schema.schemaId,
  };
  const seq = BigInt(sequenceNumber);
  const ref: SnapshotRef = { ...(baseRef ?? {}), snapshotId, type: "branch" };
  return {
    updates: [
      { action: "add-snapshot", snapshot },
      { action: "set-snapshot-ref", refName, ref },
    ],
    requirements: [
      ...(m.tableUuid === undefined ? [] : [{ type: "assert-table-uuid" as const, uuid: m.tableUuid }]),
      { type: "assert-ref-snapshot-id", ref: refName, snapshotId: baseRef?.snapshotId ?? null },
    ],
    snapshot,
    manifests: manifests.map((mf) =>
      mf.sequenceNumber === null
        ? { ...mf, sequenceNumber: seq, minSequenceNumber: mf.minSequenceNumber ?? seq }
        : mf,
    ),
    writtenFiles: written,
    removed,
  };
}

interface MergeContext {
  readonly snapshotId: bigint;
  readonly specOf: (specId: number) => PartitionSpec;
  readonly write: (spec: PartitionSpec, entries: ManifestEntry[]) => Pending;
  readonly readLive: (mf: ManifestFile) => Promise<ManifestEntry[]>;
}

const contentOf = (i: Item): ManifestContent => (i.kind === "parent" ? i.manifest.content : i.content);

/**
 * Java's `ManifestMergeManager`: per spec (highest spec id first), the manifests are packed into
 * bins of `targetSizeBytes` from the end of the list, so the newest bin is the one left short; a
 * bin of one manifest is kept, the bin holding the first manifest (this commit's) is kept as it is
 * while it has fewer than `minCountToMerge`, and every other bin becomes one merged manifest:
 * this commit's entries as they are, the live entries of older manifests EXISTING, their deleted
 * entries dropped.
 */
async function mergeGroups(
  items: readonly Item[],
  settings: MergeSettings,
  ctx: MergeContext,
): Promise<Item[]> {
  const bySpec = new Map<number, Item[]>();
  for (const item of items) {
    const specId = item.kind === "parent" ? item.manifest.partitionSpecId : item.spec.specId;
    bySpec.set(specId, [...(bySpec.get(specId) ?? []), item]);
  }
  const out: Item[] = [];
  for (const specId of [...bySpec.keys()].sort((a, b) => b - a)) {
    const group = bySpec.get(specId) ?? [];
    const first = group[0];
    const bins = packEnd(
      group,
      (i) => Number(i.kind === "parent" ? i.manifest.manifestLength : i.bytes.length),
      settings.targetSizeBytes,
    );
    for (const bin of bins) {
      if (bin.length === 1 || (bin.includes(first as Item) && bin.length < settings.minCountToMerge)) {
        out.push(...bin);
        continue;
      }
      const entries: ManifestEntry[] = [];
      for (const item of bin) {
        if (item.kind === "pending")
          entries.push(
            ...item.entries.filter(
              (e) => e.status !== EntryStatus.DELETED || e.snapshotId === ctx.snapshotId,
            ),
          );
        else
          for (const e of await ctx.readLive(item.manifest))
            entries.push({ ...e, status: EntryStatus.EXISTING });
      }
      out.push(ctx.write(ctx.specOf(specId), entries));
    }
  }
  return out;
}

export function metadataFolder(m: TableMetadata): string {
  return (m.properties["write.metadata.path"] ?? `${m.location.replace(/\/+$/, "")}/metadata`).replace(
    /\/+$/,
    "",
  );
}

/**
 * The manifests of a snapshot, from its manifest list (v1 inline manifest lists are refused). The
 * list and every manifest it names must lie in the table `m` (`table-files.ts`), and the list must
 * not be of a newer format than the table.
 */
export async function manifestsOf(
  s: Snapshot,
  store: ObjectStore,
  what: string,
  m: TableMetadata,
): Promise<readonly ManifestFile[]> {
  if (s.manifestList === undefined)
    throw badRequest(`${what}: snapshot ${s.snapshotId} lists manifests inline (v1), not supported`);
  const check = tableFileCheck(m);
  check(s.manifestList, `${what}: manifest list of snapshot ${s.snapshotId}`);
  const list = readManifestList(await store.get(s.manifestList), s.manifestList);
  checkFileVersion(m, list.formatVersion, `manifest list ${s.manifestList}`);
  for (const f of list.manifests) check(f.manifestPath, `${what}: manifest`, `listed in ${s.manifestList}`);
  return list.manifests;
}

/**
 * The live entries of a manifest, snapshot ids and sequence numbers inherited from its list entry,
 * partition tuples in the spec's field order (the file's own order when the schema no longer fits).
 */
export async function liveEntries(
  mf: ManifestFile,
  spec: PartitionSpec,
  schema: Schema,
  store: ObjectStore,
): Promise<ManifestEntry[]> {
  let type;
  try {
    type = partitionType(spec, schema);
  } catch {
    type = undefined;
  }
  const manifest = readManifest(await store.get(mf.manifestPath), mf.manifestPath, {
    manifest: mf,
    ...(type ? { partitionType: type } : {}),
  });
  return manifest.entries.filter((e) => e.status !== EntryStatus.DELETED);
}
