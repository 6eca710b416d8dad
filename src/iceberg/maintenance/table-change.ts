import { FloeError } from "../../core/errors.ts";
import type { TableRequirement } from "../requirements.ts";
import type { Snapshot } from "../snapshot.ts";
import type { SnapshotRef } from "../snapshot-ref.ts";
import { snapshotById, type TableMetadata } from "../table-metadata.ts";
import type { TableUpdate } from "../updates.ts";

/**
 * What a table operation asks to commit: the updates and the requirements they were planned
 * against. Nothing here commits; the caller sends both through the one commit path
 * (`checkRequirements` then `applyUpdates` on the table as it is then), so a concurrent change to
 * the refs an operation read makes the commit a COMMIT_CONFLICT instead of losing it.
 */
export interface TableChange {
  readonly updates: readonly TableUpdate[];
  readonly requirements: readonly TableRequirement[];
}

/** How errors name a table: by its location (there is no catalog name at this layer). */
export const tableName = (m: TableMetadata): string => `table ${m.location}`;

/** `assert-table-uuid` (when the table has one) and `assert-ref-snapshot-id` for each ref read. */
export function refRequirements(m: TableMetadata, refNames: readonly string[]): TableRequirement[] {
  const out: TableRequirement[] = m.tableUuid ? [{ type: "assert-table-uuid", uuid: m.tableUuid }] : [];
  for (const ref of new Set(refNames))
    out.push({ type: "assert-ref-snapshot-id", ref, snapshotId: m.refs[ref]?.snapshotId ?? null });
  return out;
}

/** The branch `name`; NOT_FOUND when there is none, BAD_REQUEST when it is a tag. */
export function requireBranch(m: TableMetadata, name: string): SnapshotRef {
  const ref = m.refs[name];
  if (!ref) throw new FloeError("NOT_FOUND", `Cannot find branch ${name} in ${tableName(m)}`);
  if (ref.type !== "branch") throw badRef(m, name, "a tag, not a branch");
  return ref;
}

/** The tag `name`; NOT_FOUND when there is none, BAD_REQUEST when it is a branch. */
export function requireTag(m: TableMetadata, name: string): SnapshotRef {
  const ref = m.refs[name];
  if (!ref) throw new FloeError("NOT_FOUND", `Cannot find tag ${name} in ${tableName(m)}`);
  if (ref.type !== "tag") throw badRef(m, name, "a branch, not a tag");
  return ref;
}

const badRef = (m: TableMetadata, name: string, problem: string): FloeError =>
  new FloeError("BAD_REQUEST", `Ref ${name} of ${tableName(m)} is ${problem}`);

/** Snapshot `id` of the table, or NOT_FOUND saying what it was wanted for. */
export function requireSnapshot(m: TableMetadata, id: bigint, purpose: string) {
  const s = snapshotById(m, id);
  if (!s) throw new FloeError("NOT_FOUND", `Cannot ${purpose}: ${tableName(m)} has no snapshot ${id}`);
  return s;
}

/** True when `ancestorId` is `headId` or one of its ancestors the metadata still holds. */
export function isAncestor(m: TableMetadata, ancestorId: bigint, headId: bigint | undefined): boolean {
  for (const s of ancestors(m, headId)) if (s.snapshotId === ancestorId) return true;
  return false;
}

/** The snapshot and its ancestors, newest first, as far as the metadata still has them. */
export function* ancestors(m: TableMetadata, snapshotId: bigint | undefined): Generator<Snapshot> {
  const seen = new Set<bigint>();
  let s = snapshotId === undefined ? undefined : snapshotById(m, snapshotId);
  while (s && !seen.has(s.snapshotId)) {
    seen.add(s.snapshotId);
    yield s;
    s = s.parentSnapshotId === undefined ? undefined : snapshotById(m, s.parentSnapshotId);
  }
}
