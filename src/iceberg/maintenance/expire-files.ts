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
 * Order (as Java's `RemoveSnapshots`): commit the plan's updates and requirements first, then
 * compute the files from the table before and after that commit, then delete them. `after` is the
 * metadata the commit produced — with any snapshot committed concurrently before it, which so
 * counts as retained — and a failed or conflicting commit deletes nothing. A file that cannot be
 * read for a removed snapshot (already deleted by an earlier run) counts as listing nothing; one
 * missing for a retained snapshot is an error, since what is in use cannot be told then.
 */
export interface ExpiredFilesOptions {
  /** The table before the expiry commit: the only metadata still listing the removed snapshots. */
  readonly before: TableMetadata;
  /** The table as the expiry commit left it. Snapshots of `before` that it lacks were removed. */
  readonly after: TableMetadata;
  readonly store: ObjectStore;
  /** Manifest lists and manifests read at a time; default 8. */
  readonly concurrency?: number;
}

export async function expiredFiles(opts: ExpiredFilesOptions): Promise<FileGroups> {
  const { before, after: m, store } = opts;
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (before.tableUuid !== m.tableUuid || canonical(before.location) !== canonical(m.location))
    throw badRequest(
      `Cannot find the expired files of ${tableName(m)}: the metadata before the expiry is of another table (${before.tableUuid ?? "no uuid"} at ${before.location})`,
    );
  const kept = new Set(m.snapshots.map((s) => s.snapshotId));
  const expired = before.snapshots.filter((s) => !kept.has(s.snapshotId));
  const removed = new Set(expired.map((s) => s.snapshotId));
  const retained = m.snapshots;
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
  for (const f of [...before.statistics, ...before.partitionStatistics])
    if (removed.has(f.snapshotId)) check(f.statisticsPath, "statistics file");
  type Stats = readonly { snapshotId: bigint; statisticsPath: string }[];
  const stats = (files: Stats, keptFiles: Stats): string[] => {
    const inUse = new Set(keptFiles.map((f) => canonical(f.statisticsPath)));
    return files
      .filter((f) => removed.has(f.snapshotId) && !inUse.has(canonical(f.statisticsPath)))
      .map((f) => f.statisticsPath);
  };
  return {
    manifestLists: sorted(manifestLists),
    manifests: sorted([...expiredManifests.values()].map((r) => r.path)),
    dataFiles: sorted([...candidates.dataFiles.values()]),
    deleteFiles: sorted([...candidates.deleteFiles.values()]),
    equalityDeleteFiles: sorted(
      [...candidates.deleteFiles].filter(([p]) => candidates.equalityDeletes.has(p)).map(([, f]) => f),
    ),
    statisticsFiles: sorted(stats(before.statistics, m.statistics)),
    partitionStatisticsFiles: sorted(stats(before.partitionStatistics, m.partitionStatistics)),
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
