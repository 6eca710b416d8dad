import { addPreviousMetadataFile, applyUpdates } from "../iceberg/apply-updates.ts";
import { nextMetadataLocation } from "../iceberg/metadata-location.ts";
import type { TableChange as IcebergTableChange } from "../iceberg/maintenance/table-change.ts";
import { checkRequirements } from "../iceberg/requirements.ts";
import type { TableMetadata } from "../iceberg/table-metadata.ts";
import type { TableUpdate } from "../iceberg/updates.ts";
import { badRequest, isFloeError } from "../core/errors.ts";
import type { CommitMetaInput, ContentKey, Operation } from "../versioning/model.ts";
import { type CatalogContext, contentAt, writeOnBranch } from "./context.ts";
import { alreadyExists, commitFailed, dotted, noSuchTable } from "./errors.ts";
import { checkLocation } from "./locations.ts";
import { requireNamespace } from "./namespaces.ts";
import { defaultLocation, tableContent } from "./table-content.ts";

/**
 * THE Iceberg commit path (docs: ARCHITECTURE.md): every change to a table, whatever door it came
 * in by, goes through `commitTables`:
 * resolve the branch head and key → content → metadata (cached by location) → check the
 * requirements → apply the updates → write the next metadata file (put-if-absent) → one
 * version-store commit with the head as expected hash. Several tables commit in one version-store
 * commit, atomically. A key changed concurrently makes the whole path run again from the new head.
 * A failure before the version-store commit (a requirement, storage being unreachable) is a clean
 * 409 CommitFailedException, never a 5xx that clients read as "commit state unknown".
 */
/** A table operation's change (`iceberg/maintenance/table-change.ts`) addressed to a catalog key. */
export interface TableChange extends IcebergTableChange {
  readonly key: ContentKey;
}

export interface CommittedTable {
  readonly key: ContentKey;
  readonly metadataLocation: string;
  readonly metadata: TableMetadata;
}

export async function commitTables(
  ctx: CatalogContext,
  ref: string,
  changes: readonly TableChange[],
  meta: CommitMetaInput,
): Promise<CommittedTable[]> {
  const seen = new Set<string>();
  for (const c of changes) {
    const k = c.key.join("\u0000");
    if (seen.has(k)) throw badRequest(`A transaction may change table ${dotted(c.key)} only once`);
    seen.add(k);
    for (const u of c.updates) if (u.action === "set-location") checkLocation(ctx, u.location, "Table");
  }
  return writeOnBranch(ctx, ref, meta, async (head) => {
    const written: string[] = [];
    try {
      const operations: Operation[] = [];
      const result: CommittedTable[] = [];
      for (const change of changes) {
        const done = await commitOne(ctx, head, change, written);
        result.push(done.table);
        if (done.operation) operations.push(done.operation);
      }
      return { operations, result, written };
    } catch (e) {
      await Promise.all(written.map((f) => ctx.files.discard(f)));
      // Nothing was committed: say so (a 5xx would make Java clients report CommitStateUnknown).
      if (isFloeError(e, "SERVICE_UNAVAILABLE")) throw commitFailed(`Nothing was committed: ${e.message}`);
      throw e;
    }
  });
}

/** The default commit message of a table commit. */
export function commitMessage(changes: readonly TableChange[]): string {
  const names = changes.map((c) => dotted(c.key));
  return names.length === 1 ? `Iceberg commit to ${names[0]}` : `Iceberg commit to ${names.join(", ")}`;
}

async function commitOne(
  ctx: CatalogContext,
  head: string,
  change: TableChange,
  written: string[],
): Promise<{ table: CommittedTable; operation?: Operation }> {
  const { key, requirements } = change;
  const content = await contentAt(ctx, head, key);
  const creating = requirements.some((r) => r.type === "assert-create");
  if (content && content.type !== "ICEBERG_TABLE") {
    if (!creating) throw noSuchTable(key);
    throw content.type === "ICEBERG_VIEW"
      ? alreadyExists("View with same name", key)
      : badRequest(`Cannot create table ${dotted(key)}: the key holds ${content.type}`);
  }
  const previous = content?.metadataLocation as string | undefined;
  const base = previous !== undefined ? await ctx.files.readTable(previous) : undefined;
  if (base === undefined && !creating) throw noSuchTable(key);
  checkRequirements(base, requirements);
  if (base !== undefined && previous !== undefined && change.updates.length === 0)
    return { table: { key, metadataLocation: previous, metadata: base } };
  if (base === undefined && key.length > 1) await requireNamespace(ctx, head, key.slice(0, -1));

  await checkSnapshotFiles(ctx, key, change.updates);
  let updates = change.updates;
  if (base === undefined && !updates.some((u) => u.action === "set-location"))
    updates = [{ action: "set-location", location: defaultLocation(ctx.warehouse, key) }, ...updates];
  let next = applyUpdates(base, updates);
  if (base !== undefined && previous !== undefined)
    next = addPreviousMetadataFile(next, previous, base.lastUpdatedMs);
  const m = next;
  const metadataLocation = await ctx.files.writeTable(m, (uuid) => nextMetadataLocation(m, previous, uuid));
  written.push(metadataLocation);
  return {
    table: { key, metadataLocation, metadata: m },
    operation: { type: "PUT", key, content: tableContent(m, metadataLocation, content?.id) },
  };
}

/** A snapshot whose manifest list does not exist would make the table unreadable: refused with a 400. */
async function checkSnapshotFiles(
  ctx: CatalogContext,
  key: ContentKey,
  updates: readonly TableUpdate[],
): Promise<void> {
  for (const u of updates) {
    if (u.action !== "add-snapshot" || u.snapshot.manifestList === undefined) continue;
    if (!(await ctx.files.exists(u.snapshot.manifestList)))
      throw badRequest(
        `Cannot commit to ${dotted(key)}: snapshot ${u.snapshot.snapshotId} names manifest list ${u.snapshot.manifestList}, which does not exist`,
      );
  }
}
