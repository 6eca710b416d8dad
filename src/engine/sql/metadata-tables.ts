import { ancestors } from "../../iceberg/maintenance/table-change.ts";
import type { Snapshot } from "../../iceberg/snapshot.ts";
import type { TableMetadata } from "../../iceberg/table-metadata.ts";
import type { ObjectStore } from "../../storage/object-store.ts";
import { sqlString } from "../duck-types.ts";
import { filesSql, manifestsSql, partitionsSql } from "./file-tables.ts";
import { big, str, tsMs as ts } from "./sql-values.ts";

/**
 * Metadata tables floe serves as `ns."t$snapshots"`, `t$history`, `t$refs`, `t$files`,
 * `t$manifests`, `t$partitions` (Iceberg's names).
 */
export const METADATA_TABLES = ["snapshots", "history", "refs", "files", "manifests", "partitions"] as const;
export type MetadataTable = (typeof METADATA_TABLES)[number];

/** The metadata tables read from one snapshot's manifests, which time travel picks. */
export const SNAPSHOT_TABLES: ReadonlySet<MetadataTable> = new Set(["files", "manifests", "partitions"]);

/** A query of one metadata table of `m`: of `snapshot` for the tables of one snapshot's files. */
export async function metadataTableQuery(
  store: ObjectStore,
  m: TableMetadata,
  table: MetadataTable,
  snapshot: Snapshot | undefined,
): Promise<string> {
  switch (table) {
    case "files":
      return filesSql(store, m, snapshot);
    case "manifests":
      return manifestsSql(store, m, snapshot);
    case "partitions":
      return partitionsSql(store, m, snapshot);
    default:
      return metadataTableSql(m, table);
  }
}

function values(columns: readonly string[], rows: readonly string[][], types: readonly string[]): string {
  if (rows.length === 0)
    return `SELECT ${columns.map((c, i) => `NULL::${types[i]} AS ${c}`).join(", ")} WHERE false`;
  return `SELECT * FROM (VALUES ${rows.map((r) => `(${r.join(", ")})`).join(", ")}) AS m(${columns.join(", ")})`;
}

/** A query of one metadata table of `m`, from its metadata file alone. */
function metadataTableSql(m: TableMetadata, table: "snapshots" | "history" | "refs"): string {
  switch (table) {
    case "snapshots":
      return values(
        ["committed_at", "snapshot_id", "parent_id", "operation", "manifest_list", "summary"],
        m.snapshots.map((s) => [
          ts(s.timestampMs),
          big(s.snapshotId),
          big(s.parentSnapshotId),
          str(s.summary?.operation),
          str(s.manifestList),
          s.summary
            ? `MAP {${Object.entries(s.summary)
                .map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`)
                .join(", ")}}`
            : "NULL::MAP(VARCHAR, VARCHAR)",
        ]),
        ["TIMESTAMPTZ", "BIGINT", "BIGINT", "VARCHAR", "VARCHAR", "MAP(VARCHAR, VARCHAR)"],
      );
    case "history": {
      const current = new Set([...ancestors(m, m.currentSnapshotId)].map((s) => s.snapshotId));
      return values(
        ["made_current_at", "snapshot_id", "parent_id", "is_current_ancestor"],
        m.snapshotLog.map((e) => [
          ts(e.timestampMs),
          big(e.snapshotId),
          big(m.snapshots.find((s) => s.snapshotId === e.snapshotId)?.parentSnapshotId),
          current.has(e.snapshotId) ? "true" : "false",
        ]),
        ["TIMESTAMPTZ", "BIGINT", "BIGINT", "BOOLEAN"],
      );
    }
    case "refs":
      return values(
        [
          "name",
          "type",
          "snapshot_id",
          "max_reference_age_in_ms",
          "min_snapshots_to_keep",
          "max_snapshot_age_in_ms",
        ],
        Object.entries(m.refs).map(([name, r]) => [
          sqlString(name),
          sqlString(r.type.toUpperCase()),
          big(r.snapshotId),
          r.maxRefAgeMs === undefined ? "NULL::BIGINT" : `${r.maxRefAgeMs}::BIGINT`,
          r.minSnapshotsToKeep === undefined ? "NULL::INTEGER" : `${r.minSnapshotsToKeep}::INTEGER`,
          r.maxSnapshotAgeMs === undefined ? "NULL::BIGINT" : `${r.maxSnapshotAgeMs}::BIGINT`,
        ]),
        ["VARCHAR", "VARCHAR", "BIGINT", "BIGINT", "INTEGER", "BIGINT"],
      );
  }
}
