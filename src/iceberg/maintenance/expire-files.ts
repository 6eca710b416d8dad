import { badRequest, isFloeError } from "../../core/errors.ts";
import type { ObjectStore } from "../../storage/object-store.ts";
import { tableFileCheck } from "../table-files.ts";
import type { TableMetadata } from "../table-metadata.ts";
import { type DeleteReport, deleteFiles, requireGcEnabled } from "./delete-files.ts";
import {
  allFiles,
  canonical,
  checker,
  DEFAULT_CONCURRENCY,
  type FileGroups,
  type ManifestRef,
  manifestContents,
  snapshotManifests,
} from "./reachable-files.ts";
import { tableName } from "./table-change.ts";

/**
 * The files an expire-snapshots run frees (Java's `ReachableFileCleanup`): those the removed
 * snapshots reach and no retained snapshot does —
 * - manifest lists of removed snapshots;
 * - manifests only removed snapshots list;
 * - data and delete files in those manifests (any entry status) that no manifest of a retained
 *   snapshot holds live (ADDED or EXISTING); retained manifests are read only when there is a
 *   candidate, each manifest once;
 * - statistics and partition-statistics files of removed snapshots that no retained one uses.
 *
 * Order: compute the files from the metadata *before* the expiry (only it still lists the removed
 * snapshots), commit the plan's updates and requirements, and delete the files only once that
 * commit succeeded — a failed or conflicting commit leaves every file in place. A file that cannot
 * be read for a removed snapshot (already deleted by an earlier run) counts as listing nothing; one
 * missing for a retained snapshot is an error, since what is in use cannot be told then.
 */
export interface ExpiredFilesOptions {
  /** The table before the expiry commit. */
  readonly metadata: TableMetadata;
  /** `planExpireSnapshots(…).removedSnapshotIds`. */
  readonly removedSnapshotIds: readonly bigint[];
  readonly store: ObjectStore;
  /** Manifest lists and manifests read at a time; default 8. */
  readonly concurrency?: number;
}

export async function expiredFiles(opts: ExpiredFilesOptions): Promise<FileGroups> {
  const { metadata: m, store } = opts;
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const table = tableName(m);
  const removed = new Set(opts.removedSnapshotIds);
  for (const id of removed)
    if (!m.snapshots.some((s) => s.snapshotId === id))
      throw badRequest(`Cannot expire snapshot ${id} of ${table}: the table has no such snapshot`);
  const expired = m.snapshots.filter((s) => removed.has(s.snapshotId));
  const retained = m.snapshots.filter((s) => !removed.has(s.snapshotId));
  const base = { concurrency, metadata: m };

  const retainedLists = new Set(retained.flatMap((s) => (s.manifestList ? [canonical(s.manifestList)] : [])));
  const manifestLists = expired.flatMap((s) =>
    s.manifestList && !retainedLists.has(canonical(s.manifestList)) ? [s.manifestList] : [],
  );

  const retainedManifests = byPath(
    (await snapshotManifests(store, retained, { ...base, tolerateMissing: false })).values(),
  );
  const expiredManifests = byPath(
    (await snapshotManifests(store, expired, { ...base, tolerateMissing: true })).values(),
  );
  for (const path of retainedManifests.keys()) expiredManifests.delete(path);

  const candidates = await manifestContents(store, [...expiredManifests.values()], {
    ...base,
    tolerateMissing: true,
    liveOnly: false,
  });
  if (candidates.dataFiles.size + candidates.deleteFiles.size > 0) {
    const live = await manifestContents(store, [...retainedManifests.values()], {
      ...base,
      tolerateMissing: false,
      liveOnly: true,
    });
    for (const p of live.dataFiles.keys()) candidates.dataFiles.delete(p);
    for (const p of live.deleteFiles.keys()) candidates.deleteFiles.delete(p);
    // a file listed as data in one manifest and as deletes in another is not expected; keep it safe
    for (const p of live.dataFiles.keys()) candidates.deleteFiles.delete(p);
    for (const p of live.deleteFiles.keys()) candidates.dataFiles.delete(p);
  }

  const check = checker(m);
  for (const f of [...m.statistics, ...m.partitionStatistics])
    if (removed.has(f.snapshotId)) check(f.statisticsPath, "statistics file");
  const stats = (files: readonly { snapshotId: bigint; statisticsPath: string }[]): string[] => {
    const kept = new Set(
      files.filter((f) => !removed.has(f.snapshotId)).map((f) => canonical(f.statisticsPath)),
    );
    return files
      .filter((f) => removed.has(f.snapshotId) && !kept.has(canonical(f.statisticsPath)))
      .map((f) => f.statisticsPath);
  };
  return {
    manifestLists: sorted(manifestLists),
    manifests: sorted([...expiredManifests.values()].map((r) => r.path)),
    dataFiles: sorted([...candidates.dataFiles.values()]),
    deleteFiles: sorted([...candidates.deleteFiles.values()]),
    statisticsFiles: sorted(stats(m.statistics)),
    partitionStatisticsFiles: sorted(stats(m.partitionStatistics)),
  };
}

/**
 * Deletes the files `expiredFiles` found, after the expiry was committed (see above). Refused for
 * a table with `gc.enabled=false`. Deletion failures are reported, not thrown. A file outside the
 * table's location (`table-files.ts`) is never deleted: it is reported as failed, with why.
 */
export async function deleteExpiredFiles(
  store: ObjectStore,
  metadata: TableMetadata,
  files: FileGroups,
  concurrency = DEFAULT_CONCURRENCY,
): Promise<DeleteReport> {
  requireGcEnabled(metadata, "delete the files of expired snapshots");
  const check = tableFileCheck(metadata);
  const inside: string[] = [];
  const outside: { path: string; error: string }[] = [];
  for (const path of allFiles(files)) {
    try {
      check(path, "File");
      inside.push(path);
    } catch (e) {
      if (!isFloeError(e)) throw e;
      outside.push({ path, error: `not deleted: ${e.message}` });
    }
  }
  const report = await deleteFiles(store, inside, concurrency);
  if (outside.length === 0) return report;
  const failed = [...report.failed, ...outside].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  return { deleted: report.deleted, failed };
}

function byPath(groups: Iterable<readonly ManifestRef[]>): Map<string, ManifestRef> {
  const out = new Map<string, ManifestRef>();
  for (const refs of groups)
    for (const r of refs) if (!out.has(canonical(r.path))) out.set(canonical(r.path), r);
  return out;
}

const sorted = (xs: readonly string[]): string[] => [...new Set(xs)].sort();
