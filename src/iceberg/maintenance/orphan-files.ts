import { badRequest, isFloeError } from "../../core/errors.ts";
import type { ObjectStore } from "../../storage/object-store.ts";
import { readTableMetadata } from "../metadata-location.ts";
import { metadataFolder } from "../producers/snapshot-producer.ts";
import type { TableMetadata } from "../table-metadata.ts";
import { type DeleteReport, deleteFiles, requireGcEnabled } from "./delete-files.ts";
import {
  canonical,
  DEFAULT_CONCURRENCY,
  type ManifestRef,
  manifestContents,
  snapshotManifests,
} from "./reachable-files.ts";
import { tableName } from "./table-change.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Java's default: files younger than three days are never orphans. */
export const DEFAULT_ORPHAN_AGE_MS = 3 * DAY_MS;
/** Below this age a file may belong to a commit under way; going lower needs `force`. */
export const MIN_ORPHAN_AGE_MS = DAY_MS;

/**
 * Remove orphan files (Java's `DeleteOrphanFiles`): files under the table's location (and its
 * `write.data.path` / `write.metadata.path` when those lie elsewhere) that nothing in the table
 * reaches and that are older than `olderThanMs`. Reachable are the current metadata file, the
 * files of its metadata log and, following the oldest of those, their own logs (as Java's
 * `ReachableFileUtil` does), `metadata/version-hint.text`, every snapshot's manifest list, every
 * manifest those list and every data and delete file in them (DELETED entries included, to err on
 * keeping), and the statistics and partition-statistics files. Files under a directory or with a
 * name starting with `.` or `_` are never orphans (`_SUCCESS` markers, hidden files), unless the
 * directory is a partition (`_p=1`).
 *
 * Listing uses the store's paged `list` and its modification times. A file a commit under way
 * has written but not yet referenced looks like an orphan, hence the age guard: `olderThanMs`
 * defaults to three days before `nowMs`, and a cut-off later than one day before now is refused
 * unless `force` is set. `dryRun` (the default) only returns the orphans; otherwise they are
 * deleted (refused when `gc.enabled=false`) and failures reported, not thrown.
 */
export interface RemoveOrphanFilesOptions {
  readonly store: ObjectStore;
  /** The table's current metadata and the location of the file it was read from. */
  readonly table: { readonly location: string; readonly metadata: TableMetadata };
  /** Default `Date.now()`. */
  readonly nowMs?: number;
  /** Only files last modified before this time can be orphans; default `nowMs` − 3 days. */
  readonly olderThanMs?: number;
  /** Allow a cut-off less than one day before now (no commit may be under way). */
  readonly force?: boolean;
  /** Default true: list the orphans, delete nothing. */
  readonly dryRun?: boolean;
  /** Manifest reads and deletes at a time; default 8. */
  readonly concurrency?: number;
}

export interface RemoveOrphanFilesResult {
  /** The orphans found, sorted, as the store lists them. */
  readonly orphans: readonly string[];
  readonly olderThanMs: number;
  readonly dryRun: boolean;
  /** What the deletion did; nothing deleted on a dry run. */
  readonly report: DeleteReport;
}

export async function removeOrphanFiles(opts: RemoveOrphanFilesOptions): Promise<RemoveOrphanFilesResult> {
  const { store, table } = opts;
  const m = table.metadata;
  const nowMs = opts.nowMs ?? Date.now();
  const olderThanMs = opts.olderThanMs ?? nowMs - DEFAULT_ORPHAN_AGE_MS;
  const dryRun = opts.dryRun ?? true;
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isFinite(olderThanMs))
    throw badRequest(`Cannot remove orphan files of ${tableName(m)}: no valid older-than time`);
  if (olderThanMs > nowMs - MIN_ORPHAN_AGE_MS && !opts.force)
    throw badRequest(
      `Cannot remove orphan files of ${tableName(m)} newer than one day (older-than ${new Date(olderThanMs).toISOString()}): files of a commit under way would look like orphans and be deleted; pass force only when no commit can be running`,
    );
  if (!dryRun) requireGcEnabled(m, "remove orphan files");

  const reachable = await reachableFiles(store, table, concurrency);
  const orphans: string[] = [];
  for (const prefix of listPrefixes(m)) {
    let pageToken: string | undefined;
    do {
      const page = await store.list(prefix, pageToken === undefined ? {} : { pageToken });
      for (const item of page.items) {
        if (item.lastModified.getTime() >= olderThanMs) continue;
        if (reachable.has(canonical(item.path)) || hidden(item.path.slice(prefix.length))) continue;
        orphans.push(item.path);
      }
      pageToken = page.nextToken;
    } while (pageToken !== undefined);
  }
  const sorted = [...new Set(orphans)].sort();
  const report = dryRun ? { deleted: 0, failed: [] } : await deleteFiles(store, sorted, concurrency);
  return { orphans: sorted, olderThanMs, dryRun, report };
}

/** Every file the table reaches, by canonical path. */
async function reachableFiles(
  store: ObjectStore,
  table: RemoveOrphanFilesOptions["table"],
  concurrency: number,
): Promise<Set<string>> {
  const m = table.metadata;
  const out = new Set<string>();
  const add = (p: string): void => void out.add(canonical(p));
  add(table.location);
  add(`${metadataFolder(m)}/version-hint.text`);
  for (const f of await metadataLogFiles(store, m)) add(f);
  for (const s of m.statistics) add(s.statisticsPath);
  for (const s of m.partitionStatistics) add(s.statisticsPath);
  for (const s of m.snapshots) if (s.manifestList) add(s.manifestList);
  const lists = await snapshotManifests(store, m.snapshots, {
    concurrency,
    tolerateMissing: false,
    metadata: m,
  });
  const manifests = new Map<string, ManifestRef>();
  for (const refs of lists.values()) for (const r of refs) manifests.set(canonical(r.path), r);
  for (const p of manifests.keys()) out.add(p);
  const contents = await manifestContents(store, [...manifests.values()], {
    concurrency,
    tolerateMissing: false,
    liveOnly: false,
    metadata: m,
  });
  for (const p of contents.dataFiles.keys()) out.add(p);
  for (const p of contents.deleteFiles.keys()) out.add(p);
  return out;
}

/**
 * The metadata log, and the logs of older metadata files reached through its oldest entry (a log
 * is capped at `write.metadata.previous-versions-max`); stops at a file that no longer exists.
 */
async function metadataLogFiles(store: ObjectStore, m: TableMetadata): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  let log = m.metadataLog;
  while (log.length > 0) {
    const fresh = log.map((e) => e.metadataFile).filter((f) => !seen.has(canonical(f)));
    if (fresh.length === 0) break;
    for (const f of fresh) {
      seen.add(canonical(f));
      out.push(f);
    }
    const oldest = log[0]!.metadataFile;
    let text: string;
    try {
      text = new TextDecoder().decode(await store.get(oldest));
    } catch (e) {
      if (isFloeError(e, "NOT_FOUND")) break;
      throw e;
    }
    log = readTableMetadata(text, oldest).metadataLog;
  }
  return out;
}

/** The table location, and data/metadata paths set outside it, each as a list prefix ending in `/`. */
function listPrefixes(m: TableMetadata): string[] {
  const dir = (p: string): string => `${canonical(p).replace(/\/+$/, "")}/`;
  const root = dir(m.location);
  const out = [root];
  for (const key of [
    "write.data.path",
    "write.object-storage.path",
    "write.folder-storage.path",
    "write.metadata.path",
  ]) {
    const p = m.properties[key];
    if (p === undefined) continue;
    const d = dir(p);
    if (!out.some((o) => d.startsWith(o))) out.push(d);
  }
  return out;
}

/** A path (relative to a listed prefix) in a hidden directory or naming a hidden file, as Java skips. */
function hidden(relative: string): boolean {
  return relative.split("/").some((seg, i, all) => {
    if (!seg.startsWith(".") && !seg.startsWith("_")) return false;
    return i === all.length - 1 || !seg.includes("=");
  });
}
