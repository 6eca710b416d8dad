import { badRequest } from "../core/errors.ts";
import { type EncryptionKey, encryptionKeyFromJson, encryptionKeyToJson } from "./encryption-key.ts";
import {
  asObject,
  type JsonObject,
  optArray,
  optInt,
  optLong,
  optString,
  optStringMap,
  reqInt,
  reqSafeLong,
  reqString,
} from "./json-fields.ts";
import {
  lastPartitionId,
  type PartitionSpec,
  partitionFieldsFromJson,
  partitionFieldToJson,
  partitionSpecFromJson,
  partitionSpecToJson,
} from "./partition-spec.ts";
import { type Schema, sameSchemaStructure, schemaFromJson, schemaToJson } from "./schema.ts";
import {
  type MetadataLogEntry,
  metadataLogEntryFromJson,
  metadataLogEntryToJson,
  type Snapshot,
  snapshotFromJson,
  type SnapshotLogEntry,
  snapshotLogEntryFromJson,
  snapshotLogEntryToJson,
  snapshotToJson,
} from "./snapshot.ts";
import { MAIN_BRANCH, type SnapshotRef, snapshotRefFromJson, snapshotRefToJson } from "./snapshot-ref.ts";
import { type SortOrder, sortOrderFromJson, sortOrderToJson, UNSORTED } from "./sort-order.ts";
import {
  type PartitionStatisticsFile,
  partitionStatisticsFileFromJson,
  partitionStatisticsFileToJson,
  type StatisticsFile,
  statisticsFileFromJson,
  statisticsFileToJson,
} from "./statistics.ts";

/**
 * Table metadata (spec "Table Metadata"): the content of a `…metadata.json` file. Formats 1 and 2
 * are read and written; format 3 is read and written where it only adds fields (`next-row-id`,
 * `encryption-keys`, row lineage on snapshots, defaults on fields). A v1 table stays v1 until an
 * `upgrade-format-version` update says otherwise.
 */
export type FormatVersion = 1 | 2 | 3;
export const SUPPORTED_FORMAT_VERSIONS: readonly FormatVersion[] = [1, 2, 3];

export interface TableMetadata {
  readonly formatVersion: FormatVersion;
  /** Optional only in v1 metadata. */
  readonly tableUuid?: string;
  readonly location: string;
  /** 0 for v1 tables. */
  readonly lastSequenceNumber: number;
  readonly lastUpdatedMs: number;
  readonly lastColumnId: number;
  readonly schemas: readonly Schema[];
  readonly currentSchemaId: number;
  readonly partitionSpecs: readonly PartitionSpec[];
  readonly defaultSpecId: number;
  readonly lastPartitionId: number;
  readonly properties: Readonly<Record<string, string>>;
  /** Absent when the table has no current snapshot (`-1` in JSON). */
  readonly currentSnapshotId?: bigint;
  readonly snapshots: readonly Snapshot[];
  readonly snapshotLog: readonly SnapshotLogEntry[];
  readonly metadataLog: readonly MetadataLogEntry[];
  readonly sortOrders: readonly SortOrder[];
  readonly defaultSortOrderId: number;
  readonly refs: Readonly<Record<string, SnapshotRef>>;
  readonly statistics: readonly StatisticsFile[];
  readonly partitionStatistics: readonly PartitionStatisticsFile[];
  /** v3 row lineage. */
  readonly nextRowId?: bigint;
  /** v3 encryption keys. */
  readonly encryptionKeys?: readonly EncryptionKey[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Reads and validates table metadata JSON (as given by `parseJson`); throws BAD_REQUEST naming the problem. */
export function tableMetadataFromJson(json: unknown): TableMetadata {
  const o = asObject(json, "table metadata");
  const what = "table metadata";
  const version = reqInt(o, "format-version", what);
  if (!(SUPPORTED_FORMAT_VERSIONS as readonly number[]).includes(version))
    throw badRequest(`Cannot read unsupported table metadata format-version ${version}: floe reads 1 to 3`);
  const formatVersion = version as FormatVersion;
  const v2 = formatVersion >= 2;
  const required = (key: string): void => {
    if (o[key] === undefined || o[key] === null)
      throw badRequest(`Invalid table metadata: "${key}" must exist in format v${formatVersion}`);
  };
  // Checked in the order Java reads them, so a file with several problems gets the same first one.
  if (v2)
    for (const key of ["table-uuid", "last-sequence-number", "schemas", "current-schema-id"]) required(key);
  const { schemas, currentSchemaId } = readSchemas(o, formatVersion);
  if (!schemas.some((s) => s.schemaId === currentSchemaId))
    throw badRequest(`Invalid table metadata: current-schema-id ${currentSchemaId} is not among the schemas`);
  if (v2) for (const key of ["partition-specs", "default-spec-id", "last-partition-id"]) required(key);
  const { specs, defaultSpecId } = readSpecs(o);
  if (v2) for (const key of ["sort-orders", "default-sort-order-id"]) required(key);
  if (formatVersion >= 3) required("next-row-id");
  const sortOrders = optArray(o, "sort-orders", what)?.map(sortOrderFromJson) ?? [UNSORTED];
  const snapshots = (optArray(o, "snapshots", what) ?? []).map(snapshotFromJson);
  let currentSnapshotId = optLong(o, "current-snapshot-id", what);
  if (currentSnapshotId === -1n) currentSnapshotId = undefined;

  const refs: Record<string, SnapshotRef> = {};
  const refsJson = o.refs === undefined || o.refs === null ? undefined : asObject(o.refs, "refs");
  for (const [name, ref] of Object.entries(refsJson ?? {}))
    refs[name] = snapshotRefFromJson(ref, `ref ${name}`);
  // Metadata written before refs existed names the current snapshot only; it is `main`.
  if (refsJson === undefined && currentSnapshotId !== undefined)
    refs[MAIN_BRANCH] = { snapshotId: currentSnapshotId, type: "branch" };

  const meta: Mutable<TableMetadata> = {
    formatVersion,
    location: reqString(o, "location", what),
    lastSequenceNumber: v2 ? reqSafeLong(o, "last-sequence-number", what) : 0,
    lastUpdatedMs: reqSafeLong(o, "last-updated-ms", what),
    lastColumnId: reqInt(o, "last-column-id", what),
    schemas,
    currentSchemaId,
    partitionSpecs: specs,
    defaultSpecId,
    lastPartitionId: optInt(o, "last-partition-id", what) ?? lastPartitionId(specs),
    properties: optStringMap(o, "properties", what) ?? {},
    snapshots,
    snapshotLog: (optArray(o, "snapshot-log", what) ?? []).map(snapshotLogEntryFromJson),
    metadataLog: (optArray(o, "metadata-log", what) ?? []).map(metadataLogEntryFromJson),
    sortOrders,
    defaultSortOrderId: optInt(o, "default-sort-order-id", what) ?? UNSORTED.orderId,
    refs,
    statistics: (optArray(o, "statistics", what) ?? []).map(statisticsFileFromJson),
    partitionStatistics: (optArray(o, "partition-statistics", what) ?? []).map(
      partitionStatisticsFileFromJson,
    ),
  };
  const uuid = optString(o, "table-uuid", what);
  if (uuid !== undefined) meta.tableUuid = uuid;
  if (currentSnapshotId !== undefined) meta.currentSnapshotId = currentSnapshotId;
  const nextRowId = optLong(o, "next-row-id", what);
  if (nextRowId !== undefined && formatVersion >= 3) meta.nextRowId = nextRowId;
  const keys = optArray(o, "encryption-keys", what);
  if (keys !== undefined && formatVersion >= 3) meta.encryptionKeys = keys.map(encryptionKeyFromJson);
  validateTableMetadata(meta);
  return meta;
}

function readSchemas(o: JsonObject, formatVersion: number): { schemas: Schema[]; currentSchemaId: number } {
  const what = "table metadata";
  const list = optArray(o, "schemas", what);
  const legacy = o.schema === undefined || o.schema === null ? undefined : schemaFromJson(o.schema, 0);
  if (list === undefined) {
    if (!legacy) throw badRequest(`Invalid table metadata: "schemas" must exist in format v${formatVersion}`);
    return { schemas: [legacy], currentSchemaId: legacy.schemaId };
  }
  const schemas = list.map((s) => schemaFromJson(s));
  const current = optInt(o, "current-schema-id", what);
  if (current !== undefined) return { schemas, currentSchemaId: current };
  // v1 metadata with `schemas` but no current id: the current one is the one `schema` holds.
  const match = legacy && schemas.find((s) => sameSchemaStructure(s, legacy));
  if (!match)
    throw badRequest(
      `Invalid table metadata: "current-schema-id" is missing and no "schema" says which schema is current`,
    );
  return { schemas, currentSchemaId: match.schemaId };
}

function readSpecs(o: JsonObject): { specs: PartitionSpec[]; defaultSpecId: number } {
  const what = "table metadata";
  const list = optArray(o, "partition-specs", what);
  if (list === undefined) {
    if (o["partition-spec"] === undefined || o["partition-spec"] === null)
      throw badRequest(
        `Invalid table metadata: "partition-specs" must exist in format v${String(o["format-version"])}`,
      );
    return { specs: [{ specId: 0, fields: partitionFieldsFromJson(o["partition-spec"]) }], defaultSpecId: 0 };
  }
  const specs = list.map(partitionSpecFromJson);
  // v1 metadata may list specs without naming the default: it is the newest (highest id).
  const defaultSpecId = optInt(o, "default-spec-id", what) ?? Math.max(0, ...specs.map((s) => s.specId));
  return { specs, defaultSpecId };
}

/**
 * The invariants every metadata floe reads or writes holds: current schema, default spec and
 * default sort order exist; ids are unique; the current snapshot and every ref point at known
 * snapshots; snapshot sequence numbers do not pass `last-sequence-number`.
 */
export function validateTableMetadata(m: TableMetadata): void {
  const unique = (ids: number[], what: string) => {
    const seen = new Set<number>();
    for (const id of ids) {
      if (seen.has(id)) throw badRequest(`Invalid table metadata: duplicate ${what} ${id}`);
      seen.add(id);
    }
  };
  unique(
    m.schemas.map((s) => s.schemaId),
    "schema id",
  );
  unique(
    m.partitionSpecs.map((s) => s.specId),
    "partition spec id",
  );
  unique(
    m.sortOrders.map((s) => s.orderId),
    "sort order id",
  );
  if (!m.schemas.some((s) => s.schemaId === m.currentSchemaId))
    throw badRequest(
      `Invalid table metadata: current-schema-id ${m.currentSchemaId} is not among the schemas`,
    );
  if (!m.partitionSpecs.some((s) => s.specId === m.defaultSpecId))
    throw badRequest(
      `Invalid table metadata: default-spec-id ${m.defaultSpecId} is not among the partition specs`,
    );
  if (!m.sortOrders.some((s) => s.orderId === m.defaultSortOrderId))
    throw badRequest(
      `Invalid table metadata: default-sort-order-id ${m.defaultSortOrderId} is not among the sort orders`,
    );
  const ids = new Set<bigint>();
  for (const s of m.snapshots) {
    if (ids.has(s.snapshotId))
      throw badRequest(`Invalid table metadata: duplicate snapshot id ${s.snapshotId}`);
    ids.add(s.snapshotId);
    if (m.formatVersion >= 2 && s.sequenceNumber > m.lastSequenceNumber)
      throw badRequest(
        `Invalid table metadata: snapshot ${s.snapshotId} has sequence number ${s.sequenceNumber}, after last-sequence-number ${m.lastSequenceNumber}`,
      );
  }
  if (m.currentSnapshotId !== undefined && !ids.has(m.currentSnapshotId))
    throw badRequest(
      `Invalid table metadata: current-snapshot-id ${m.currentSnapshotId} is not among the snapshots`,
    );
  for (const [name, ref] of Object.entries(m.refs))
    if (!ids.has(ref.snapshotId))
      throw badRequest(`Invalid table metadata: ref ${name} points at unknown snapshot ${ref.snapshotId}`);
  const main = m.refs[MAIN_BRANCH];
  if (main && main.snapshotId !== m.currentSnapshotId)
    throw badRequest(
      `Invalid table metadata: current-snapshot-id ${m.currentSnapshotId ?? -1} differs from branch main (${main.snapshotId})`,
    );
}

/** The JSON of a metadata file in the table's own format version, ready for `stringifyJson`. */
export function tableMetadataToJson(m: TableMetadata): JsonObject {
  const v1 = m.formatVersion === 1;
  const out: JsonObject = { "format-version": m.formatVersion };
  if (m.tableUuid !== undefined) out["table-uuid"] = m.tableUuid;
  out.location = m.location;
  if (!v1) out["last-sequence-number"] = m.lastSequenceNumber;
  out["last-updated-ms"] = m.lastUpdatedMs;
  out["last-column-id"] = m.lastColumnId;
  // v1 readers know only `schema` and `partition-spec`; both forms are written, as Java does.
  if (v1) out.schema = schemaToJson(currentSchema(m));
  out["current-schema-id"] = m.currentSchemaId;
  out.schemas = m.schemas.map(schemaToJson);
  if (v1) out["partition-spec"] = defaultSpec(m).fields.map(partitionFieldToJson);
  out["default-spec-id"] = m.defaultSpecId;
  out["partition-specs"] = m.partitionSpecs.map(partitionSpecToJson);
  out["last-partition-id"] = m.lastPartitionId;
  out["default-sort-order-id"] = m.defaultSortOrderId;
  out["sort-orders"] = m.sortOrders.map(sortOrderToJson);
  out.properties = { ...m.properties };
  out["current-snapshot-id"] = m.currentSnapshotId ?? -1;
  out.refs = Object.fromEntries(Object.entries(m.refs).map(([name, r]) => [name, snapshotRefToJson(r)]));
  out.snapshots = m.snapshots.map((s) => snapshotToJson(s, m.formatVersion));
  out.statistics = m.statistics.map(statisticsFileToJson);
  out["partition-statistics"] = m.partitionStatistics.map(partitionStatisticsFileToJson);
  out["snapshot-log"] = m.snapshotLog.map(snapshotLogEntryToJson);
  out["metadata-log"] = m.metadataLog.map(metadataLogEntryToJson);
  if (m.formatVersion >= 3) out["next-row-id"] = m.nextRowId ?? 0n;
  if (m.encryptionKeys !== undefined && m.encryptionKeys.length > 0)
    out["encryption-keys"] = m.encryptionKeys.map(encryptionKeyToJson);
  return out;
}

export function currentSchema(m: TableMetadata): Schema {
  const s = m.schemas.find((x) => x.schemaId === m.currentSchemaId);
  if (!s) throw badRequest(`Table metadata has no schema ${m.currentSchemaId}`);
  return s;
}

export function defaultSpec(m: TableMetadata): PartitionSpec {
  const s = m.partitionSpecs.find((x) => x.specId === m.defaultSpecId);
  if (!s) throw badRequest(`Table metadata has no partition spec ${m.defaultSpecId}`);
  return s;
}

export function defaultSortOrder(m: TableMetadata): SortOrder {
  const s = m.sortOrders.find((x) => x.orderId === m.defaultSortOrderId);
  if (!s) throw badRequest(`Table metadata has no sort order ${m.defaultSortOrderId}`);
  return s;
}

export function snapshotById(m: TableMetadata, id: bigint): Snapshot | undefined {
  return m.snapshots.find((s) => s.snapshotId === id);
}

export function currentSnapshot(m: TableMetadata): Snapshot | undefined {
  return m.currentSnapshotId === undefined ? undefined : snapshotById(m, m.currentSnapshotId);
}
