import { loadTable, type LoadedTable } from "../../catalog/tables.ts";
import { parseRefSpec } from "../../versioning/ref-spec.ts";
import type { SessionContext } from "./session-context.ts";

/** A branch or tag other than the session's that holds a table at the same location. */
export interface TableHolder {
  readonly type: string;
  readonly name: string;
  readonly table: Required<LoadedTable>;
}

/**
 * The other branches and tags whose `key` is a table at `location`: their metadata may reach files
 * the session's table no longer does, so deleting files (PURGE, expiry, orphan removal) must mind
 * them.
 */
export async function otherHolders(
  s: SessionContext,
  key: readonly string[],
  location: string,
): Promise<TableHolder[]> {
  const here = parseRefSpec(s.ref).name ?? s.catalog.store.defaultBranch;
  const out: TableHolder[] = [];
  let pageToken: string | undefined;
  do {
    const page = await s.catalog.store.listReferences(pageToken === undefined ? {} : { pageToken });
    for (const r of page.items) {
      if (r.name === here) continue;
      const other = await loadTable(s.catalog, r.name, [...key]).catch(() => undefined);
      if (other && other.metadata.location === location)
        out.push({ type: r.type.toLowerCase(), name: r.name, table: other });
    }
    pageToken = page.token;
  } while (pageToken !== undefined);
  return out;
}
