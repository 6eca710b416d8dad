import type { TableRequirement } from "../requirements.ts";
import { MAIN_BRANCH } from "../snapshot-ref.ts";
import { snapshotById, type TableMetadata } from "../table-metadata.ts";
import type { TableUpdate } from "../updates.ts";
import { ancestors, refRequirements } from "./table-change.ts";

/**
 * Which snapshots and refs an expire-snapshots run removes, by the spec's retention rules ("Snapshot
 * Retention Policy", Java's `RemoveSnapshots`): a ref older than its `max-ref-age-ms` goes (never
 * `main`); each remaining branch keeps its newest `min-snapshots-to-keep` ancestors and every
 * ancestor younger than `max-snapshot-age-ms`; tags keep their snapshot; snapshots no ref reaches
 * are kept while younger than the table's max snapshot age. Defaults come from the
 * `history.expire.*` table properties. The result is the updates to commit, with requirements
 * that every ref is still where the plan saw it (a ref moved meanwhile could point at a snapshot the
 * plan removes, or keep one it would not): a `TableChange`. To delete the files only the removed
 * snapshots used, see `expire-files.ts`.
 */
export interface ExpireOptions {
  readonly nowMs: number;
  /** Expire snapshots older than this instead of the table's default age (branches' own settings win). */
  readonly olderThanMs?: number;
  /** Keep at least this many ancestors of each branch instead of the table's default. */
  readonly retainLast?: number;
}

export interface ExpirePlan {
  readonly removedRefs: readonly string[];
  readonly removedSnapshotIds: readonly bigint[];
  readonly updates: readonly TableUpdate[];
  readonly requirements: readonly TableRequirement[];
}

const DEFAULT_MAX_SNAPSHOT_AGE_MS = 5 * 24 * 60 * 60 * 1000;
const DEFAULT_MIN_SNAPSHOTS = 1;

function numberProperty(m: TableMetadata, key: string, fallback: number): number {
  const raw = m.properties[key];
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(n) ? n : fallback;
}

export function planExpireSnapshots(m: TableMetadata, options: ExpireOptions): ExpirePlan {
  const { nowMs } = options;
  const defaultMaxAge = numberProperty(m, "history.expire.max-snapshot-age-ms", DEFAULT_MAX_SNAPSHOT_AGE_MS);
  const defaultMinKeep =
    options.retainLast ?? numberProperty(m, "history.expire.min-snapshots-to-keep", DEFAULT_MIN_SNAPSHOTS);
  const defaultMaxRefAge = numberProperty(m, "history.expire.max-ref-age-ms", Number.POSITIVE_INFINITY);
  const defaultOlderThan = options.olderThanMs ?? nowMs - defaultMaxAge;

  const removedRefs: string[] = [];
  const retained = new Set<bigint>();
  const reachable = new Set<bigint>();
  for (const [name, ref] of Object.entries(m.refs)) {
    const snapshot = snapshotById(m, ref.snapshotId);
    const maxRefAge = ref.maxRefAgeMs ?? defaultMaxRefAge;
    if (name !== MAIN_BRANCH && snapshot && nowMs - snapshot.timestampMs > maxRefAge) {
      removedRefs.push(name);
      continue;
    }
    if (ref.type === "tag") {
      retained.add(ref.snapshotId);
      continue;
    }
    const minKeep = ref.minSnapshotsToKeep ?? defaultMinKeep;
    const olderThan = ref.maxSnapshotAgeMs === undefined ? defaultOlderThan : nowMs - ref.maxSnapshotAgeMs;
    let kept = 0;
    let keeping = true;
    for (const s of ancestors(m, ref.snapshotId)) {
      reachable.add(s.snapshotId);
      if (keeping && (kept < minKeep || s.timestampMs >= olderThan)) {
        retained.add(s.snapshotId);
        kept++;
      } else {
        keeping = false;
      }
    }
  }
  // Ancestors of removed refs are no longer reachable through them.
  for (const s of m.snapshots)
    if (!reachable.has(s.snapshotId) && !retained.has(s.snapshotId) && s.timestampMs >= defaultOlderThan)
      retained.add(s.snapshotId);
  const removedSnapshotIds = m.snapshots.filter((s) => !retained.has(s.snapshotId)).map((s) => s.snapshotId);
  const updates: TableUpdate[] = removedRefs.map((refName) => ({ action: "remove-snapshot-ref", refName }));
  if (removedSnapshotIds.length > 0)
    updates.push({ action: "remove-snapshots", snapshotIds: removedSnapshotIds });
  const requirements = refRequirements(m, Object.keys(m.refs));
  return { removedRefs, removedSnapshotIds, updates, requirements };
}
