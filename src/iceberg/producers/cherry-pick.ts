import { badRequest, FloeError } from "../../core/errors.ts";
import type { ObjectStore } from "../../storage/object-store.ts";
import { type DataFile, DataFileContent, EntryStatus } from "../data-file.ts";
import { ancestors, refRequirements, requireBranch, type TableChange } from "../maintenance/table-change.ts";
import { readManifest } from "../manifest.ts";
import { ManifestContent } from "../manifest-list.ts";
import type { Snapshot } from "../snapshot.ts";
import { MAIN_BRANCH } from "../snapshot-ref.ts";
import { snapshotById, type TableMetadata } from "../table-metadata.ts";
import { fastAppend } from "./fast-append.ts";
import { manifestsOf } from "./snapshot-producer.ts";

export interface CherryPickOptions {
  readonly metadata: TableMetadata;
  readonly store: ObjectStore;
  /** The snapshot to pick: any snapshot of the table (typically a staged WAP snapshot or another branch's). */
  readonly pickSnapshotId: bigint;
  /** The branch to pick onto; default `main`. */
  readonly branch?: string;
  /** The id of the new snapshot when the files are re-added (not for a fast-forward). */
  readonly snapshotId: bigint;
  readonly nowMs?: number;
  readonly commitUuid?: string;
}

export interface CherryPick extends TableChange {
  /** The branch's new head: the picked snapshot itself (fast-forward) or the new append. */
  readonly snapshot: Snapshot;
  readonly fastForward: boolean;
  /** Files written for the new snapshot (garbage if its commit fails); none for a fast-forward. */
  readonly writtenFiles: readonly string[];
}

/**
 * Cherry-picks a snapshot onto a branch (Java's `CherryPickOperation`):
 * - refused when the snapshot is already in the branch's history, or an ancestor was picked from it
 *   (its `source-snapshot-id`), or its `wap.id` was published there already (`published-wap-id`);
 * - when the snapshot's parent is the branch head, a fast-forward: the branch moves to the snapshot;
 * - otherwise an `append` snapshot's data files (those it added) are added again by a fast append
 *   on the branch, whose summary records `source-snapshot-id` (and `published-wap-id` for a WAP
 *   snapshot); a dynamic partition overwrite (`replace-partitions`) and any other operation are
 *   refused, as they cannot be replayed on a different parent here.
 * Returns the updates and requirements (the branch still at the head read) for the commit path.
 */
export async function cherryPick(opts: CherryPickOptions): Promise<CherryPick> {
  const { metadata: m, store, pickSnapshotId: id } = opts;
  const branch = opts.branch ?? MAIN_BRANCH;
  const what = `Cannot cherry-pick snapshot ${id} onto branch ${branch} of table ${m.location}`;
  const picked = snapshotById(m, id);
  if (!picked) throw new FloeError("NOT_FOUND", `${what}: the table has no snapshot ${id}`);
  const head =
    branch === MAIN_BRANCH && !m.refs[MAIN_BRANCH] ? undefined : requireBranch(m, branch).snapshotId;

  const wapId = picked.summary?.["wap.id"];
  for (const s of ancestors(m, head)) {
    if (s.snapshotId === id) throw badRequest(`${what}: it is already an ancestor of the branch`);
    if (s.summary?.["source-snapshot-id"] === String(id))
      throw badRequest(`${what}: it was already picked to create ancestor ${s.snapshotId}`);
    if (wapId !== undefined && s.summary?.["published-wap-id"] === wapId)
      throw badRequest(`${what}: its wap.id ${wapId} was already published by ancestor ${s.snapshotId}`);
  }

  if (picked.parentSnapshotId === head) {
    const ref = m.refs[branch];
    return {
      updates: [
        {
          action: "set-snapshot-ref",
          refName: branch,
          ref: { ...(ref ?? {}), snapshotId: id, type: "branch" },
        },
      ],
      requirements: refRequirements(m, [branch]),
      snapshot: picked,
      fastForward: true,
      writtenFiles: [],
    };
  }
  const operation = picked.summary?.operation;
  if (operation === "overwrite" && picked.summary?.["replace-partitions"] === "true")
    throw badRequest(
      `${what}: it is a dynamic partition overwrite (replace-partitions), which floe can only fast-forward; its parent ${picked.parentSnapshotId ?? "none"} is not the branch head ${head ?? "none"}`,
    );
  if (operation !== "append")
    throw badRequest(
      `${what}: its operation is ${operation ?? "unknown"}, not append, and it is not a fast-forward (its parent ${picked.parentSnapshotId ?? "none"} is not the branch head ${head ?? "none"})`,
    );

  const { files, specId } = await addedDataFiles(picked, store, what, m);
  if (files.length === 0) throw badRequest(`${what}: it adds no data files`);
  const append = await fastAppend({
    metadata: m,
    store,
    snapshotId: opts.snapshotId,
    files,
    specId,
    ref: branch,
    ...(opts.nowMs === undefined ? {} : { nowMs: opts.nowMs }),
    ...(opts.commitUuid === undefined ? {} : { commitUuid: opts.commitUuid }),
  });
  const snapshot: Snapshot = {
    ...append.snapshot,
    summary: {
      ...append.snapshot.summary!,
      "source-snapshot-id": String(id),
      ...(wapId === undefined ? {} : { "published-wap-id": wapId }),
    },
  };
  return {
    updates: append.updates.map((u) => (u.action === "add-snapshot" ? { ...u, snapshot } : u)),
    requirements: append.requirements,
    snapshot,
    fastForward: false,
    writtenFiles: append.writtenFiles,
  };
}

/** The data files a snapshot added (ADDED entries of its own data manifests), all of one spec. */
async function addedDataFiles(
  s: Snapshot,
  store: ObjectStore,
  what: string,
  m: TableMetadata,
): Promise<{ files: DataFile[]; specId: number | undefined }> {
  const manifests = (await manifestsOf(s, store, what, m)).filter(
    (mf) => mf.addedSnapshotId === s.snapshotId && mf.content === ManifestContent.DATA,
  );
  const files: DataFile[] = [];
  const specs = new Set<number>();
  for (const mf of manifests) {
    const manifest = readManifest(await store.get(mf.manifestPath), mf.manifestPath, { manifest: mf });
    for (const e of manifest.entries)
      if (
        e.status === EntryStatus.ADDED &&
        e.snapshotId === s.snapshotId &&
        e.dataFile.content === DataFileContent.DATA
      ) {
        files.push(e.dataFile);
        specs.add(manifest.specId ?? mf.partitionSpecId);
      }
  }
  if (specs.size > 1)
    throw badRequest(
      `${what}: its files were written with several partition specs (${[...specs].join(", ")})`,
    );
  return { files, specId: [...specs][0] };
}
