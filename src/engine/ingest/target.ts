import { readHash } from "../../catalog/context.ts";
import { requireNamespace } from "../../catalog/namespaces.ts";
import { defaultLocation } from "../../catalog/table-content.ts";
import { loadTable } from "../../catalog/tables.ts";
import { badRequest, isFloeError } from "../../core/errors.ts";
import { newTableMetadata } from "../../iceberg/create-table.ts";
import type { Schema } from "../../iceberg/schema.ts";
import type { TableMetadata } from "../../iceberg/table-metadata.ts";
import type { UnboundPartitionSpec } from "../../iceberg/updates.ts";
import type { ContentKey } from "../../versioning/model.ts";
import { parseRefSpec } from "../../versioning/ref-spec.ts";
import type { SessionContext } from "../sql/session-context.ts";
import { sessionTarget, type WriteTarget } from "../sql/writes.ts";

/**
 * The catalog an ingest writes to: the store opened in this process (`localCatalog`), or a floe
 * server's Iceberg REST API while the server holds the catalog (`rest-catalog.ts`). Both load and
 * commit on one branch; the data files and the snapshot are made the same way for both.
 */
export interface IngestCatalog extends WriteTarget {
  /** The branch written. */
  readonly ref: string;
  /** The table's metadata, or undefined when there is no such table. */
  find(key: ContentKey): Promise<TableMetadata | undefined>;
  /** The metadata of a new table, nothing committed yet (its namespace must exist). */
  newTable(key: ContentKey, schema: Schema, spec: UnboundPartitionSpec): Promise<TableMetadata>;
}

/** Ingest writes to a branch; `ref@hash` and relative specs are read-only. */
export function checkBranchSpec(ref: string): string {
  const spec = parseRefSpec(ref);
  if (spec.name === undefined || spec.hash !== undefined || spec.relative.length > 0)
    throw badRequest(`Cannot ingest into ${ref}: give a branch`);
  return spec.name;
}

/** The catalog opened in this process, its commits made by the session (author, application). */
export async function localCatalog(s: SessionContext): Promise<IngestCatalog> {
  const r = await s.catalog.store.getReference(checkBranchSpec(s.ref));
  if (r.type !== "BRANCH") throw badRequest(`Cannot ingest into tag ${s.ref}: tags are read-only`);
  return {
    ref: s.ref,
    ...sessionTarget(s),
    find: (key) =>
      loadTable(s.catalog, s.ref, key).then(
        (t) => t.metadata,
        (e: unknown) => {
          if (isFloeError(e, "NOT_FOUND") && /table/i.test(e.message)) return undefined;
          throw e;
        },
      ),
    newTable: async (key, schema, spec) => {
      await requireNamespace(s.catalog, await readHash(s.catalog, s.ref), key.slice(0, -1));
      return newTableMetadata({
        schema,
        spec,
        properties: {},
        location: defaultLocation(s.catalog.warehouse, key),
      });
    },
  };
}
