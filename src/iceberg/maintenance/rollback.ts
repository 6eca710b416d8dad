import { badRequest } from "../../core/errors.ts";
import { MAIN_BRANCH, type SnapshotRef } from "../snapshot-ref.ts";
import type { TableMetadata } from "../table-metadata.ts";
import {
  ancestors,
  isAncestor,
  refRequirements,
  requireBranch,
  requireSnapshot,
  type TableChange,
  tableName,
} from "./table-change.ts";

/**
 * Moving a branch back in its history or to any snapshot (Java's `SetSnapshotOperation`,
 * `ManageSnapshots.rollbackTo` / `rollbackToTime` / `setCurrentSnapshot`), on `main` by default or
 * on any branch. The branch keeps its retention settings; moving `main` makes the snapshot the
 * table's current one (and `applyUpdates` adds it to the snapshot log). The change requires the
 * branch to be where it was read. Moving a branch to the snapshot it is at changes nothing.
 */
export interface BranchOption {
  readonly branch?: string;
}

/** Rolls `branch` back to `snapshotId`, which must be the head or one of its ancestors. */
export function rollbackTo(m: TableMetadata, snapshotId: bigint, opts: BranchOption = {}): TableChange {
  const branch = opts.branch ?? MAIN_BRANCH;
  const ref = requireBranch(m, branch);
  requireSnapshot(m, snapshotId, `roll back branch ${branch}`);
  if (!isAncestor(m, snapshotId, ref.snapshotId))
    throw badRequest(
      `Cannot roll back branch ${branch} of ${tableName(m)} to snapshot ${snapshotId}: it is not an ancestor of the branch head ${ref.snapshotId}`,
    );
  return moveBranch(m, branch, ref, snapshotId);
}

/**
 * Rolls `branch` back to the newest of its head's ancestors committed strictly before
 * `timestampMs` (as Java's `rollbackToTime`); BAD_REQUEST when there is none.
 */
export function rollbackToTime(m: TableMetadata, timestampMs: number, opts: BranchOption = {}): TableChange {
  const branch = opts.branch ?? MAIN_BRANCH;
  const ref = requireBranch(m, branch);
  for (const s of ancestors(m, ref.snapshotId))
    if (s.timestampMs < timestampMs) return moveBranch(m, branch, ref, s.snapshotId);
  throw badRequest(
    `Cannot roll back branch ${branch} of ${tableName(m)} to ${new Date(timestampMs).toISOString()}: no snapshot of the branch is older than that`,
  );
}

/**
 * Points `branch` at any snapshot of the table, ancestor or not (Java's `setCurrentSnapshot`).
 * `main` is created when the table has no current snapshot yet; other branches must exist.
 */
export function setCurrentSnapshot(
  m: TableMetadata,
  snapshotId: bigint,
  opts: BranchOption = {},
): TableChange {
  const branch = opts.branch ?? MAIN_BRANCH;
  const ref = branch === MAIN_BRANCH && !m.refs[MAIN_BRANCH] ? undefined : requireBranch(m, branch);
  requireSnapshot(m, snapshotId, `set branch ${branch} to a snapshot`);
  return moveBranch(m, branch, ref, snapshotId);
}

function moveBranch(
  m: TableMetadata,
  branch: string,
  ref: SnapshotRef | undefined,
  snapshotId: bigint,
): TableChange {
  const requirements = refRequirements(m, [branch]);
  if (ref?.snapshotId === snapshotId) return { updates: [], requirements };
  const moved: SnapshotRef = ref ? { ...ref, snapshotId } : { snapshotId, type: "branch" };
  return { updates: [{ action: "set-snapshot-ref", refName: branch, ref: moved }], requirements };
}
