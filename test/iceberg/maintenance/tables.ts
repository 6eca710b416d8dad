import type { DuckDBConnection } from "@duckdb/node-api";
import { appendRows, createTable } from "../../../src/engine/append.ts";
import { applyUpdates } from "../../../src/iceberg/apply-updates.ts";
import type { TableChange } from "../../../src/iceberg/maintenance/table-change.ts";
import { type TableFile, writeNextMetadataFile } from "../../../src/iceberg/producers/metadata-file.ts";
import { checkRequirements } from "../../../src/iceberg/requirements.ts";
import { schemaFromJson } from "../../../src/iceberg/schema.ts";
import type { TableMetadata } from "../../../src/iceberg/table-metadata.ts";
import type { ObjectStore } from "../../../src/storage/object-store.ts";

const schema = schemaFromJson({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "category", required: false, type: "string" },
  ],
});

/** Rows `from` … `to - 1`, category `c<id mod 2>`. */
export const rowsSql = (from: number, to: number): string =>
  `SELECT i AS id, 'c' || (i % 2) AS category FROM range(${from}, ${to}) AS r(i)`;

/**
 * A table at `location` partitioned by category with one append per `[from, to)` range, snapshot
 * ids 1, 2, 3, … committed at t = 1000, 2000, 3000, … ms. Returns every metadata file, the created
 * one first.
 */
export async function appendSeries(
  duck: DuckDBConnection,
  store: ObjectStore,
  location: string,
  ranges: readonly (readonly [number, number])[],
  properties: Record<string, string> = {},
): Promise<TableFile[]> {
  const out = [
    await createTable(store, {
      schema,
      spec: { fields: [{ sourceId: 2, name: "category", transform: { kind: "identity" } }] },
      location,
      properties,
    }),
  ];
  for (const [i, [from, to]] of ranges.entries())
    out.push(
      await appendRows({
        duck,
        store,
        table: out.at(-1)!,
        source: rowsSql(from, to),
        snapshotId: BigInt(i + 1),
        nowMs: (i + 1) * 1000,
      }),
    );
  return out;
}

/** The table as a commit removing `ids` would leave it (to compute expired files without committing). */
export const removing = (m: TableMetadata, ids: bigint[]): TableMetadata =>
  applyUpdates(m, [{ action: "remove-snapshots", snapshotIds: ids }]);

/** The one commit path for a catalog-less table: requirements checked, updates applied, next file written. */
export async function commit(
  store: ObjectStore,
  table: TableFile,
  change: TableChange,
  nowMs = 1_000_000,
): Promise<TableFile> {
  checkRequirements(table.metadata, change.requirements);
  return writeNextMetadataFile(store, table, applyUpdates(table.metadata, change.updates, { nowMs }));
}
