import { badRequest, FloeError } from "../../core/errors.ts";
import { MAIN_BRANCH, type SnapshotRef } from "../snapshot-ref.ts";
import type { TableMetadata } from "../table-metadata.ts";
import {
  isAncestor,
  refRequirements,
  requireBranch,
  requireSnapshot,
  requireTag,
  type TableChange,
  tableName,
} from "./table-change.ts";

/**
 * Branches and tags inside one table (Java's `ManageSnapshots` ref operations). Each returns the
 * `set-snapshot-ref` / `remove-snapshot-ref` updates with `assert-ref-snapshot-id` requirements on
 * every ref it read, for the one commit path. Retention (spec "Snapshot Retention Policy"):
 * branches carry `minSnapshotsToKeep`, `maxSnapshotAgeMs` and `maxRefAgeMs`, tags only
 * `maxRefAgeMs`; every value must be a positive integer. `main` cannot be removed or renamed.
 */
export interface BranchRetention {
  readonly minSnapshotsToKeep?: number;
  readonly maxSnapshotAgeMs?: number;
  readonly maxRefAgeMs?: number;
}

export interface TagRetention {
  readonly maxRefAgeMs?: number;
}

/** Creates branch `name` at `snapshotId` (default the current snapshot). */
export function createBranch(
  m: TableMetadata,
  name: string,
  snapshotId?: bigint,
  retention: BranchRetention = {},
): TableChange {
  checkNewRef(m, name, "branch");
  const id = snapshotId ?? m.currentSnapshotId;
  if (id === undefined)
    throw badRequest(`Cannot create branch ${name} in ${tableName(m)}: the table has no current snapshot`);
  requireSnapshot(m, id, `create branch ${name}`);
  return setRef(m, name, { snapshotId: id, type: "branch", ...retentionOf(m, name, retention, "branch") });
}

/** Creates tag `name` at `snapshotId` (default the current snapshot). */
export function createTag(
  m: TableMetadata,
  name: string,
  snapshotId?: bigint,
  retention: TagRetention = {},
): TableChange {
  checkNewRef(m, name, "tag");
  const id = snapshotId ?? m.currentSnapshotId;
  if (id === undefined)
    throw badRequest(`Cannot create tag ${name} in ${tableName(m)}: the table has no current snapshot`);
  requireSnapshot(m, id, `create tag ${name}`);
  return setRef(m, name, { snapshotId: id, type: "tag", ...retentionOf(m, name, retention, "tag") });
}

/**
 * Points existing branch `name` at any known snapshot, keeping its retention unless `retention`
 * gives new values (Java's `replaceBranch`; no ancestry needed — see `fastForwardBranch`).
 */
export function replaceBranch(
  m: TableMetadata,
  name: string,
  snapshotId: bigint,
  retention?: BranchRetention,
): TableChange {
  const ref = requireBranch(m, name);
  requireSnapshot(m, snapshotId, `replace branch ${name}`);
  const kept = retention === undefined ? retentionFields(ref) : retentionOf(m, name, retention, "branch");
  return setRef(m, name, { snapshotId, type: "branch", ...kept });
}

/** Points existing tag `name` at another snapshot, keeping its max ref age unless given. */
export function replaceTag(
  m: TableMetadata,
  name: string,
  snapshotId: bigint,
  retention?: TagRetention,
): TableChange {
  const ref = requireTag(m, name);
  requireSnapshot(m, snapshotId, `replace tag ${name}`);
  const kept = retention === undefined ? retentionFields(ref) : retentionOf(m, name, retention, "tag");
  return setRef(m, name, { snapshotId, type: "tag", ...kept });
}

/**
 * Changes retention settings of a branch or tag: a key given with a value sets it, a key given as
 * `undefined` clears it (the table defaults apply again), keys left out stay as they are.
 */
export function setRefRetention(m: TableMetadata, name: string, retention: BranchRetention): TableChange {
  const ref = m.refs[name];
  if (!ref) throw new FloeError("NOT_FOUND", `Cannot find branch or tag ${name} in ${tableName(m)}`);
  const merged = { ...retentionFields(ref), ...retention };
  return setRef(m, name, {
    snapshotId: ref.snapshotId,
    type: ref.type,
    ...retentionOf(m, name, merged, ref.type),
  });
}

/** Removes branch `name`; `main` cannot be removed. */
export function removeBranch(m: TableMetadata, name: string): TableChange {
  if (name === MAIN_BRANCH) throw badRequest(`Cannot remove branch ${MAIN_BRANCH} of ${tableName(m)}`);
  requireBranch(m, name);
  return {
    updates: [{ action: "remove-snapshot-ref", refName: name }],
    requirements: refRequirements(m, [name]),
  };
}

export function removeTag(m: TableMetadata, name: string): TableChange {
  requireTag(m, name);
  return {
    updates: [{ action: "remove-snapshot-ref", refName: name }],
    requirements: refRequirements(m, [name]),
  };
}

/** Renames branch `from` to `to` (not `main`, to a name not in use), keeping snapshot and retention. */
export function renameBranch(m: TableMetadata, from: string, to: string): TableChange {
  if (from === MAIN_BRANCH) throw badRequest(`Cannot rename branch ${MAIN_BRANCH} of ${tableName(m)}`);
  const ref = requireBranch(m, from);
  checkNewRef(m, to, "branch");
  return {
    updates: [
      { action: "remove-snapshot-ref", refName: from },
      { action: "set-snapshot-ref", refName: to, ref },
    ],
    requirements: refRequirements(m, [from, to]),
  };
}

/**
 * Moves branch `name` to the head of branch `source` when its own head is an ancestor of that head
 * (Java's `fastForwardBranch`); otherwise BAD_REQUEST. Already there: no updates.
 */
export function fastForwardBranch(m: TableMetadata, name: string, source: string): TableChange {
  const target = requireBranch(m, name);
  const from = requireBranch(m, source);
  if (!isAncestor(m, target.snapshotId, from.snapshotId))
    throw badRequest(
      `Cannot fast-forward branch ${name} of ${tableName(m)} to ${source}: its head ${target.snapshotId} is not an ancestor of ${source}'s head ${from.snapshotId}`,
    );
  const requirements = refRequirements(m, [name, source]);
  if (target.snapshotId === from.snapshotId) return { updates: [], requirements };
  return {
    updates: [{ action: "set-snapshot-ref", refName: name, ref: { ...target, snapshotId: from.snapshotId } }],
    requirements,
  };
}

function setRef(m: TableMetadata, name: string, ref: SnapshotRef): TableChange {
  return {
    updates: [{ action: "set-snapshot-ref", refName: name, ref }],
    requirements: refRequirements(m, [name]),
  };
}

function checkNewRef(m: TableMetadata, name: string, type: SnapshotRef["type"]): void {
  if (name === "") throw badRequest(`Cannot create a ${type} with an empty name in ${tableName(m)}`);
  const existing = m.refs[name];
  if (existing)
    throw badRequest(
      `Cannot create ${type} ${name} in ${tableName(m)}: a ${existing.type} of that name already exists (at snapshot ${existing.snapshotId})`,
    );
  if (name === MAIN_BRANCH && type === "tag")
    throw badRequest(`Cannot create tag ${MAIN_BRANCH} in ${tableName(m)}: ${MAIN_BRANCH} is a branch`);
}

function retentionFields(r: SnapshotRef): BranchRetention {
  const { minSnapshotsToKeep, maxSnapshotAgeMs, maxRefAgeMs } = r;
  return {
    ...(minSnapshotsToKeep === undefined ? {} : { minSnapshotsToKeep }),
    ...(maxSnapshotAgeMs === undefined ? {} : { maxSnapshotAgeMs }),
    ...(maxRefAgeMs === undefined ? {} : { maxRefAgeMs }),
  };
}

/** Checks retention values (positive integers; tags only `maxRefAgeMs`) and drops absent ones. */
function retentionOf(
  m: TableMetadata,
  name: string,
  r: BranchRetention,
  type: SnapshotRef["type"],
): BranchRetention {
  if (type === "tag" && (r.minSnapshotsToKeep !== undefined || r.maxSnapshotAgeMs !== undefined))
    throw badRequest(
      `Cannot set retention of tag ${name} in ${tableName(m)}: a tag has no min-snapshots-to-keep or max-snapshot-age-ms`,
    );
  for (const [key, v] of [
    ["min-snapshots-to-keep", r.minSnapshotsToKeep],
    ["max-snapshot-age-ms", r.maxSnapshotAgeMs],
    ["max-ref-age-ms", r.maxRefAgeMs],
  ] as const)
    if (v !== undefined && !(Number.isSafeInteger(v) && v > 0))
      throw badRequest(
        `Cannot set ${key} of ${type} ${name} in ${tableName(m)}: must be a positive integer, got ${v}`,
      );
  return retentionFields({ snapshotId: 0n, type, ...r });
}
