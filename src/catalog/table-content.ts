import { randomUUID } from "node:crypto";
import { defaultSortOrder, defaultSpec, type TableMetadata } from "../iceberg/table-metadata.ts";
import type { ViewMetadata } from "../iceberg/view-metadata.ts";
import { currentViewVersion } from "../iceberg/view-metadata.ts";
import type { ContentInput, ContentKey } from "../versioning/model.ts";

/** A 64-bit id as the version store keeps JSON numbers: a number when exact, else a bigint. */
function jsonLong(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** The ICEBERG_TABLE content (Nessie's IcebergTable) pointing at a metadata file. */
export function tableContent(m: TableMetadata, metadataLocation: string, id?: string): ContentInput {
  return {
    type: "ICEBERG_TABLE",
    ...(id !== undefined ? { id } : {}),
    metadataLocation,
    snapshotId: jsonLong(m.currentSnapshotId ?? -1n),
    schemaId: m.currentSchemaId,
    specId: defaultSpec(m).specId,
    sortOrderId: defaultSortOrder(m).orderId,
  };
}

/** The ICEBERG_VIEW content (Nessie's IcebergView) pointing at a view metadata file. */
export function viewContent(m: ViewMetadata, metadataLocation: string, id?: string): ContentInput {
  const version = currentViewVersion(m);
  const sql = version.representations[0];
  return {
    type: "ICEBERG_VIEW",
    ...(id !== undefined ? { id } : {}),
    metadataLocation,
    versionId: version.versionId,
    schemaId: version.schemaId,
    ...(sql ? { sqlText: sql.sql, dialect: sql.dialect } : {}),
  };
}

/** Where a new table or view goes when the client names no location: `<warehouse>/<ns…>/<name>_<uuid>`. */
export function defaultLocation(warehouse: string, key: ContentKey): string {
  const path = key.map((e) => encodeURIComponent(e)).join("/");
  return `${warehouse}/${path}_${randomUUID().replaceAll("-", "")}`;
}
