import { badRequest, FloeError } from "../../core/errors.ts";
import type { Schema } from "../schema.ts";
import type { Snapshot } from "../snapshot.ts";
import { MAIN_BRANCH } from "../snapshot-ref.ts";
import { currentSchema, currentSnapshot, snapshotById, type TableMetadata } from "../table-metadata.ts";

/** Which snapshot a scan reads; at most one may be given, none means the current snapshot. */
export interface SnapshotSelector {
  readonly snapshotId?: bigint;
  /** A branch or tag name. */
  readonly ref?: string;
  /** The snapshot that was current at this time (ms since the epoch), from the snapshot log. */
  readonly asOfTimestampMs?: number;
}

export interface SelectedSnapshot {
  /** Undefined for a table (or branch) without snapshots: the scan is empty. */
  readonly snapshot: Snapshot | undefined;
  /**
   * The schema to read with: the table's current schema for the current snapshot and branches (a
   * branch's head is read with today's columns), the snapshot's own schema for time travel to a
   * snapshot id, a tag or a time, as Java's `SnapshotUtil.schemaFor` does.
   */
  readonly schema: Schema;
}

/**
 * Picks a scan's snapshot. Throws NOT_FOUND for an unknown snapshot id or ref, or a time before
 * the table's first snapshot, and BAD_REQUEST when more than one selector is given.
 */
export function selectSnapshot(metadata: TableMetadata, sel: SnapshotSelector = {}): SelectedSnapshot {
  const given = [sel.snapshotId, sel.ref, sel.asOfTimestampMs].filter((v) => v !== undefined).length;
  if (given > 1) throw badRequest("Cannot select a snapshot by more than one of snapshot id, ref and time");
  const current = currentSchema(metadata);
  const historical = (snapshot: Snapshot): SelectedSnapshot => {
    const own =
      snapshot.schemaId === undefined
        ? undefined
        : metadata.schemas.find((s) => s.schemaId === snapshot.schemaId);
    return { snapshot, schema: own ?? current };
  };
  const byId = (id: bigint, why: string): Snapshot => {
    const s = snapshotById(metadata, id);
    if (!s) throw new FloeError("NOT_FOUND", `Cannot find snapshot ${id}${why}`);
    return s;
  };

  if (sel.snapshotId !== undefined) return historical(byId(sel.snapshotId, ""));
  if (sel.ref !== undefined) {
    const ref = metadata.refs[sel.ref];
    if (!ref) {
      // Metadata without refs (v1) still has a main branch: its current snapshot, if any.
      if (sel.ref === MAIN_BRANCH) return { snapshot: currentSnapshot(metadata), schema: current };
      throw new FloeError("NOT_FOUND", `Cannot find ref ${sel.ref}`);
    }
    const snapshot = byId(ref.snapshotId, ` (ref ${sel.ref})`);
    return ref.type === "tag" ? historical(snapshot) : { snapshot, schema: current };
  }
  if (sel.asOfTimestampMs !== undefined) {
    const ts = sel.asOfTimestampMs;
    let id: bigint | undefined;
    for (const e of metadata.snapshotLog) if (e.timestampMs <= ts) id = e.snapshotId;
    if (metadata.snapshotLog.length === 0) id = ancestorAsOf(metadata, ts);
    if (id === undefined)
      throw new FloeError("NOT_FOUND", `Cannot find a snapshot older than ${new Date(ts).toISOString()}`);
    return historical(byId(id, ` (current at ${new Date(ts).toISOString()})`));
  }
  return { snapshot: currentSnapshot(metadata), schema: current };
}

/** Without a snapshot log: the newest ancestor of the current snapshot committed at or before `ts`. */
function ancestorAsOf(metadata: TableMetadata, ts: number): bigint | undefined {
  let s = currentSnapshot(metadata);
  while (s && s.timestampMs > ts)
    s = s.parentSnapshotId === undefined ? undefined : snapshotById(metadata, s.parentSnapshotId);
  return s?.snapshotId;
}
