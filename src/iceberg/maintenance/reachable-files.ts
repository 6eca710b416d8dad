import { FloeError, isFloeError } from "../../core/errors.ts";
import type { ObjectStore } from "../../storage/object-store.ts";
import { canonicalLocation } from "../../storage/location.ts";
import { DataFileContent, EntryStatus } from "../data-file.ts";
import { readManifest } from "../manifest.ts";
import { type ManifestFile, readManifestList } from "../manifest-list.ts";
import { mapBounded } from "../scan/bounded.ts";
import type { Snapshot } from "../snapshot.ts";
import { type TableFileCheck, tableFileCheck } from "../table-files.ts";
import type { TableMetadata } from "../table-metadata.ts";
import { tableName } from "./table-change.ts";

/**
 * Reading which files snapshots reach: their manifest lists, the manifests those list (or a v1
 * snapshot lists inline), and the data and delete files in those manifests. Paths are compared in
 * their canonical spelling (`s3a://` = `s3://`, `file:/p` = `file:///p`), as stores list them.
 * Reads run `concurrency` at a time; each manifest list and manifest is read once. Every file must
 * lie where the table may name files (`table-files.ts`): a metadata file pointing elsewhere is
 * refused before anything is read or deleted.
 */
export const DEFAULT_CONCURRENCY = 8;

/** The files of a table by kind, each list sorted; paths as the metadata spells them. */
export interface FileGroups {
  readonly manifestLists: readonly string[];
  readonly manifests: readonly string[];
  readonly dataFiles: readonly string[];
  readonly deleteFiles: readonly string[];
  /** Those of `deleteFiles` that hold equality deletes (the others: position deletes). */
  readonly equalityDeleteFiles?: readonly string[];
  readonly statisticsFiles: readonly string[];
  readonly partitionStatisticsFiles: readonly string[];
}

export const FILE_KINDS = [
  "manifestLists",
  "manifests",
  "dataFiles",
  "deleteFiles",
  "statisticsFiles",
  "partitionStatisticsFiles",
] as const satisfies readonly (keyof FileGroups)[];

export function allFiles(g: FileGroups): string[] {
  return FILE_KINDS.flatMap((k) => g[k]);
}

/** The canonical spelling of a location, or the text itself when it is no location floe reads. */
export function canonical(path: string): string {
  try {
    return canonicalLocation(path);
  } catch {
    return path;
  }
}

/** A manifest to read, by canonical path: where it is and its manifest-list entry when it has one. */
export interface ManifestRef {
  readonly path: string;
  readonly entry?: ManifestFile;
}

/**
 * The manifests of each snapshot, from its manifest list (or v1 inline list). With `tolerateMissing`,
 * a manifest list that no longer exists counts as listing nothing (a snapshot being expired whose
 * files were partly deleted before); otherwise it is an error naming the snapshot.
 */
export async function snapshotManifests(
  store: ObjectStore,
  snapshots: readonly Snapshot[],
  opts: { concurrency: number; tolerateMissing: boolean; metadata: TableMetadata },
): Promise<Map<bigint, ManifestRef[]>> {
  const out = new Map<bigint, ManifestRef[]>();
  const check = checker(opts.metadata);
  const read = async (s: Snapshot): Promise<ManifestRef[]> => {
    const what = `manifest list of snapshot ${s.snapshotId}`;
    if (s.manifestList === undefined)
      return (s.manifests ?? []).map((path) => {
        check(path, "manifest", what);
        return { path };
      });
    check(s.manifestList, what);
    const bytes = await getOrMissing(store, s.manifestList, opts, what);
    if (!bytes) return [];
    return readManifestList(bytes, s.manifestList).manifests.map((entry) => {
      check(entry.manifestPath, "manifest", `listed in ${s.manifestList}`);
      return { path: entry.manifestPath, entry };
    });
  };
  let i = 0;
  for await (const refs of mapBounded(snapshots, opts.concurrency, read))
    out.set(snapshots[i++]!.snapshotId, refs);
  return out;
}

/**
 * The data and delete files the manifests hold, by canonical path (value: the path as written).
 * With `liveOnly`, DELETED entries are skipped (a file a snapshot deleted is not reachable from it).
 */
export async function manifestContents(
  store: ObjectStore,
  manifests: readonly ManifestRef[],
  opts: { concurrency: number; tolerateMissing: boolean; liveOnly: boolean; metadata: TableMetadata },
): Promise<{
  dataFiles: Map<string, string>;
  deleteFiles: Map<string, string>;
  /** Canonical paths of the delete files that hold equality deletes. */
  equalityDeletes: Set<string>;
}> {
  const dataFiles = new Map<string, string>();
  const deleteFiles = new Map<string, string>();
  const equalityDeletes = new Set<string>();
  const check = checker(opts.metadata);
  const read = async (m: ManifestRef) => {
    const bytes = await getOrMissing(store, m.path, opts, "manifest");
    const manifest = bytes ? readManifest(bytes, m.path, m.entry ? { manifest: m.entry } : {}) : undefined;
    return { path: m.path, manifest };
  };
  for await (const { path, manifest } of mapBounded(manifests, opts.concurrency, read)) {
    for (const e of manifest?.entries ?? []) {
      if (opts.liveOnly && e.status === EntryStatus.DELETED) continue;
      const f = e.dataFile;
      check(
        f.filePath,
        f.content === DataFileContent.DATA ? "data file" : "delete file",
        `listed in ${path}`,
      );
      (f.content === DataFileContent.DATA ? dataFiles : deleteFiles).set(canonical(f.filePath), f.filePath);
      if (f.content === DataFileContent.EQUALITY_DELETES) equalityDeletes.add(canonical(f.filePath));
    }
  }
  return { dataFiles, deleteFiles, equalityDeletes };
}

async function getOrMissing(
  store: ObjectStore,
  path: string,
  opts: { tolerateMissing: boolean; metadata: TableMetadata },
  what: string,
): Promise<Uint8Array | undefined> {
  try {
    return await store.get(path);
  } catch (e) {
    if (!isFloeError(e, "NOT_FOUND")) throw e;
    if (opts.tolerateMissing) return undefined;
    throw new FloeError(
      "NOT_FOUND",
      `Cannot tell which files of ${tableName(opts.metadata)} are still in use: its ${what} ${path} is missing`,
    );
  }
}

/** The table's file-location check, with the table named in its errors. */
export function checker(m: TableMetadata): TableFileCheck {
  const check = tableFileCheck(m);
  return (path, what, context) => check(path, `Cannot clean up files of ${tableName(m)}: ${what}`, context);
}
