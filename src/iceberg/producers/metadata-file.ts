import { FloeError } from "../../core/errors.ts";
import type { ObjectStore } from "../../storage/object-store.ts";
import { addPreviousMetadataFile, applyUpdates } from "../apply-updates.ts";
import { nextMetadataLocation, readTableMetadata, writeTableMetadata } from "../metadata-location.ts";
import { checkRequirements } from "../requirements.ts";
import { tableFileCheck } from "../table-files.ts";
import type { TableMetadata } from "../table-metadata.ts";
import type { ProducedSnapshot } from "./snapshot-producer.ts";

/** A table known by the location of its current metadata file (no catalog). */
export interface TableFile {
  readonly location: string;
  readonly metadata: TableMetadata;
}

export async function readTableFile(store: ObjectStore, location: string): Promise<TableFile> {
  const text = new TextDecoder().decode(await store.get(location));
  return { location, metadata: readTableMetadata(text, location) };
}

/**
 * Writes `next` as the metadata file that follows `previous` (none for a new table):
 * `<metadata folder>/NNNNN-<uuid>.metadata.json` numbered one past it, with the previous file added
 * to the metadata log (kept to `write.metadata.previous-versions-max`). The file is created with
 * `putIfAbsent`; if it exists, the write is a COMMIT_CONFLICT and nothing is replaced. A snapshot
 * added by this commit whose manifest list lies outside the table (`table-files.ts`) is refused
 * before anything is written.
 */
export async function writeNextMetadataFile(
  store: ObjectStore,
  previous: TableFile | undefined,
  next: TableMetadata,
): Promise<TableFile> {
  const metadata = previous
    ? addPreviousMetadataFile(next, previous.location, previous.metadata.lastUpdatedMs)
    : next;
  const check = tableFileCheck(metadata);
  const known = new Set(previous?.metadata.snapshots.map((s) => s.snapshotId));
  for (const s of metadata.snapshots) {
    if (known.has(s.snapshotId)) continue;
    const where = `Cannot commit to table ${metadata.location}:`;
    if (s.manifestList !== undefined)
      check(s.manifestList, `${where} manifest list of snapshot ${s.snapshotId}`);
    for (const path of s.manifests ?? []) check(path, `${where} manifest of snapshot ${s.snapshotId}`);
  }
  const location = nextMetadataLocation(metadata, previous?.location);
  const text = new TextEncoder().encode(writeTableMetadata(metadata));
  if (!(await store.putIfAbsent(location, text)))
    throw new FloeError("COMMIT_CONFLICT", `Metadata file ${location} already exists`);
  return { location, metadata };
}

/**
 * Commits a produced snapshot to a table without a catalog: checks its requirements against the
 * table (a stale base is a COMMIT_CONFLICT), applies its updates and writes the next metadata file.
 */
export async function commitTableFile(
  store: ObjectStore,
  table: TableFile,
  produced: Pick<ProducedSnapshot, "updates" | "requirements" | "snapshot">,
): Promise<TableFile> {
  checkRequirements(table.metadata, produced.requirements);
  const next = applyUpdates(table.metadata, produced.updates, { nowMs: produced.snapshot.timestampMs });
  return writeNextMetadataFile(store, table, next);
}
