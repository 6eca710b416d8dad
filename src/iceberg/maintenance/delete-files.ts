import type { ObjectStore } from "../../storage/object-store.ts";
import type { TableMetadata } from "../table-metadata.ts";
import { DEFAULT_CONCURRENCY } from "./reachable-files.ts";
import { tableName } from "./table-change.ts";
import { badRequest } from "../../core/errors.ts";

/** What a bulk delete did: how many files it deleted and which it could not, with why. */
export interface DeleteReport {
  readonly deleted: number;
  readonly failed: readonly { readonly path: string; readonly error: string }[];
}

/**
 * Deletes `paths`, `concurrency` at a time. A failure does not stop the others and is not thrown:
 * it is reported, so a run that fails halfway says exactly what is left (deleting a missing file
 * succeeds, as the store's `delete` does).
 */
export async function deleteFiles(
  store: ObjectStore,
  paths: readonly string[],
  concurrency = DEFAULT_CONCURRENCY,
): Promise<DeleteReport> {
  let next = 0;
  let deleted = 0;
  const failed: { path: string; error: string }[] = [];
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const path = paths[next++] as string;
      try {
        await store.delete(path);
        deleted++;
      } catch (e) {
        failed.push({ path, error: e instanceof Error ? e.message : String(e) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), paths.length) }, worker));
  failed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { deleted, failed };
}

/**
 * Refuses to delete a table's files when its `gc.enabled` property is `false`, as Java does: such a
 * table's files may be shared with other tables (a snapshot or migration of them), so only the
 * metadata may change.
 */
export function requireGcEnabled(m: TableMetadata, action: string): void {
  if ((m.properties["gc.enabled"] ?? "true").trim().toLowerCase() === "false")
    throw badRequest(
      `Cannot ${action} of ${tableName(m)}: gc.enabled is false (its files may be used by other tables); set gc.enabled=true to allow deleting files`,
    );
}
