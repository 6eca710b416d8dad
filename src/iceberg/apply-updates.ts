import { randomUUID } from "node:crypto";
import { badRequest } from "../core/errors.ts";
import {
  lastPartitionId as highestPartitionId,
  type PartitionField,
  type PartitionSpec,
  PARTITION_DATA_ID_START,
  sameSpecFields,
  UNPARTITIONED,
  UNPARTITIONED_LAST_ASSIGNED_ID,
  validatePartitionSpec,
} from "./partition-spec.ts";
import { highestFieldId, sameSchemaStructure, type Schema } from "./schema.ts";
import type { Snapshot, SnapshotLogEntry } from "./snapshot.ts";
import { MAIN_BRANCH, type SnapshotRef } from "./snapshot-ref.ts";
import {
  sameSortFields,
  type SortOrder,
  UNSORTED,
  UNSORTED_ORDER_ID,
  validateSortOrder,
} from "./sort-order.ts";
import {
  currentSchema,
  type FormatVersion,
  SUPPORTED_FORMAT_VERSIONS,
  type TableMetadata,
  validateTableMetadata,
} from "./table-metadata.ts";
import { transformsEqual } from "./transforms.ts";
import { type IcebergType, type NestedField, isPrimitive } from "./types.ts";
import { type TableUpdate, type UnboundPartitionSpec, unreachable } from "./updates.ts";

/**
 * Applies a commit's updates to table metadata, as Java's `TableMetadata.Builder` does: a pure
 * function (the clock and a fresh table UUID come from `options`) that keeps `last-column-id`,
 * `last-partition-id`, `last-sequence-number`, the snapshot log and `last-updated-ms` right.
 * `base` undefined starts a new table (a create transaction). The previous metadata file is added to
 * the metadata log by the caller, who knows its location (`addPreviousMetadataFile`).
 */
export interface ApplyOptions {
  /** The commit time; defaults to `Date.now()`. */
  readonly nowMs?: number;
  /** The UUID a new table gets when no `assign-uuid` names one; defaults to a random one. */
  readonly newTableUuid?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Builder {
  m: Mutable<TableMetadata>;
  readonly creating: boolean;
  readonly now: number;
  lastAddedSchemaId?: number;
  lastAddedSpecId?: number;
  lastAddedOrderId?: number;
  readonly addedSnapshotIds: Set<bigint>;
  /** Set by a snapshot added in this commit: the metadata then dates from it. */
  lastUpdatedMs?: number;
}

const EMPTY: TableMetadata = {
  formatVersion: 2,
  location: "",
  lastSequenceNumber: 0,
  lastUpdatedMs: 0,
  lastColumnId: 0,
  schemas: [],
  currentSchemaId: -1,
  partitionSpecs: [],
  defaultSpecId: -1,
  lastPartitionId: UNPARTITIONED_LAST_ASSIGNED_ID,
  properties: {},
  snapshots: [],
  snapshotLog: [],
  metadataLog: [],
  sortOrders: [],
  defaultSortOrderId: -1,
  refs: {},
  statistics: [],
  partitionStatistics: [],
};

export function applyUpdates(
  base: TableMetadata | undefined,
  updates: readonly TableUpdate[],
  options: ApplyOptions = {},
): TableMetadata {
  const now = options.nowMs ?? Date.now();
  const b: Builder = {
    m: { ...(base ?? EMPTY) },
    creating: base === undefined,
    now,
    addedSnapshotIds: new Set(),
  };
  for (const u of updates) applyUpdate(b, u);
  const m = b.m;
  if (b.creating) finishCreate(b, options);
  if (updates.length > 0 || b.creating) m.lastUpdatedMs = b.lastUpdatedMs ?? now;
  validateTableMetadata(m);
  return m;
}

function finishCreate(b: Builder, options: ApplyOptions): void {
  const m = b.m;
  m.tableUuid ??= options.newTableUuid ?? randomUUID();
  if (m.location === "") throw badRequest("Cannot create a table without a location: missing set-location");
  if (m.schemas.length === 0) throw badRequest("Cannot create a table without a schema: missing add-schema");
  if (m.currentSchemaId === -1) m.currentSchemaId = m.schemas[m.schemas.length - 1]?.schemaId as number;
  if (m.partitionSpecs.length === 0) m.partitionSpecs = [UNPARTITIONED];
  if (m.defaultSpecId === -1)
    m.defaultSpecId = m.partitionSpecs[m.partitionSpecs.length - 1]?.specId as number;
  if (m.sortOrders.length === 0) m.sortOrders = [UNSORTED];
  if (m.defaultSortOrderId === -1)
    m.defaultSortOrderId = m.sortOrders[m.sortOrders.length - 1]?.orderId as number;
  if (m.formatVersion >= 3) m.nextRowId ??= 0n;
}

function applyUpdate(b: Builder, u: TableUpdate): void {
  const m = b.m;
  switch (u.action) {
    case "assign-uuid":
      if (m.tableUuid !== undefined && m.tableUuid.toLowerCase() !== u.uuid.toLowerCase())
        throw badRequest(`Cannot reassign the table UUID ${m.tableUuid} to ${u.uuid}`);
      m.tableUuid = u.uuid;
      return;
    case "upgrade-format-version":
      return upgradeFormatVersion(b, u.formatVersion);
    case "add-schema":
      return addSchema(b, u.schema, u.lastColumnId);
    case "set-current-schema": {
      const id = resolveLast(u.schemaId, b.lastAddedSchemaId, "schema");
      if (!m.schemas.some((s) => s.schemaId === id))
        throw badRequest(`Cannot set current schema to unknown schema ${id}`);
      m.currentSchemaId = id;
      return;
    }
    case "add-spec":
      return addSpec(b, u.spec);
    case "set-default-spec": {
      const id = resolveLast(u.specId, b.lastAddedSpecId, "partition spec");
      if (!m.partitionSpecs.some((s) => s.specId === id))
        throw badRequest(`Cannot set default partition spec to unknown spec ${id}`);
      m.defaultSpecId = id;
      return;
    }
    case "add-sort-order":
      return addSortOrder(b, u.sortOrder);
    case "set-default-sort-order": {
      const id = resolveLast(u.sortOrderId, b.lastAddedOrderId, "sort order");
      if (!m.sortOrders.some((s) => s.orderId === id))
        throw badRequest(`Cannot set default sort order to unknown sort order ${id}`);
      m.defaultSortOrderId = id;
      return;
    }
    case "add-snapshot":
      return addSnapshot(b, u.snapshot);
    case "set-snapshot-ref":
      return setRef(b, u.refName, u.ref);
    case "remove-snapshots":
      return removeSnapshots(b, new Set(u.snapshotIds));
    case "remove-snapshot-ref": {
      if (!(u.refName in m.refs)) return;
      const { [u.refName]: _removed, ...rest } = m.refs;
      m.refs = rest;
      if (u.refName === MAIN_BRANCH) delete m.currentSnapshotId;
      return;
    }
    case "set-location":
      if (u.location === "") throw badRequest("Cannot set the table location to an empty string");
      m.location = u.location;
      return;
    case "set-properties":
      m.properties = { ...m.properties, ...u.updates };
      return;
    case "remove-properties": {
      const props = { ...m.properties };
      for (const key of u.removals) delete props[key];
      m.properties = props;
      return;
    }
    case "set-statistics":
      m.statistics = [...m.statistics.filter((s) => s.snapshotId !== u.statistics.snapshotId), u.statistics];
      return;
    case "remove-statistics":
      m.statistics = m.statistics.filter((s) => s.snapshotId !== u.snapshotId);
      return;
    case "set-partition-statistics":
      m.partitionStatistics = [
        ...m.partitionStatistics.filter((s) => s.snapshotId !== u.partitionStatistics.snapshotId),
        u.partitionStatistics,
      ];
      return;
    case "remove-partition-statistics":
      m.partitionStatistics = m.partitionStatistics.filter((s) => s.snapshotId !== u.snapshotId);
      return;
    case "remove-partition-specs":
      if (u.specIds.includes(m.defaultSpecId))
        throw badRequest(`Cannot remove the default partition spec ${m.defaultSpecId}`);
      m.partitionSpecs = m.partitionSpecs.filter((s) => !u.specIds.includes(s.specId));
      return;
    case "remove-schemas":
      if (u.schemaIds.includes(m.currentSchemaId))
        throw badRequest(`Cannot remove the current schema ${m.currentSchemaId}`);
      m.schemas = m.schemas.filter((s) => !u.schemaIds.includes(s.schemaId));
      return;
    case "add-encryption-key":
      if (m.formatVersion < 3)
        throw badRequest(`Cannot add an encryption key to a v${m.formatVersion} table`);
      m.encryptionKeys = [
        ...(m.encryptionKeys ?? []).filter((k) => k.keyId !== u.encryptionKey.keyId),
        u.encryptionKey,
      ];
      return;
    case "remove-encryption-key":
      m.encryptionKeys = (m.encryptionKeys ?? []).filter((k) => k.keyId !== u.keyId);
      return;
    default:
      return unreachable(u);
  }
}

function resolveLast(id: number, lastAdded: number | undefined, what: string): number {
  if (id !== -1) return id;
  if (lastAdded === undefined) throw badRequest(`Cannot set the last added ${what}: no ${what} was added`);
  return lastAdded;
}

function upgradeFormatVersion(b: Builder, version: number): void {
  const m = b.m;
  if (!(SUPPORTED_FORMAT_VERSIONS as readonly number[]).includes(version))
    throw badRequest(`Cannot upgrade table to unsupported format version v${version}`);
  // A new table starts at the version its create transaction names, v1 included.
  if (version < m.formatVersion && !b.creating)
    throw badRequest(`Cannot downgrade the table from format v${m.formatVersion} to v${version}`);
  if (version === m.formatVersion) return;
  m.formatVersion = version as FormatVersion;
  if (version >= 3) m.nextRowId ??= 0n;
}

const V3_TYPES = new Set(["timestamp_ns", "timestamptz_ns", "unknown", "variant", "geometry", "geography"]);

/** Types and defaults that need format v3, which an older table must not get (forward compatibility). */
function checkFormatFeatures(schema: Schema, formatVersion: number): void {
  if (formatVersion >= 3) return;
  const visit = (f: NestedField): void => {
    if (f.initialDefault !== undefined || f.writeDefault !== undefined)
      throw badRequest(
        `Invalid schema for v${formatVersion}: default values on field ${f.name} need format v3`,
      );
    visitType(f.type, f.name);
  };
  const visitType = (t: IcebergType, name: string): void => {
    if (isPrimitive(t)) {
      if (V3_TYPES.has(t.type))
        throw badRequest(`Invalid schema for v${formatVersion}: ${t.type} (field ${name}) needs format v3`);
    } else if (t.type === "struct") t.fields.forEach(visit);
    else if (t.type === "list") visitType(t.element, `${name}.element`);
    else {
      visitType(t.key, `${name}.key`);
      visitType(t.value, `${name}.value`);
    }
  };
  schema.fields.forEach(visit);
}

/**
 * `last-column-id` of the update is deprecated in the spec: clients (Java 1.8+) send the schema's
 * highest field id, which is below the table's after a column was dropped. The table's last column
 * id only ever grows: the highest of the table's, the request's and the schema's.
 */
function addSchema(b: Builder, schema: Schema, lastColumnId: number | undefined): void {
  const m = b.m;
  checkFormatFeatures(schema, m.formatVersion);
  const newLastColumnId = Math.max(m.lastColumnId, lastColumnId ?? 0, highestFieldId(schema));
  // An identical schema is reused rather than added twice (Java's reuseOrCreateNewSchemaId).
  const existing = m.schemas.find((s) => sameSchemaStructure(s, schema));
  if (existing) {
    b.lastAddedSchemaId = existing.schemaId;
    m.lastColumnId = newLastColumnId;
    return;
  }
  const schemaId = m.schemas.reduce(
    (max, s) => Math.max(max, s.schemaId + 1),
    b.creating ? schema.schemaId : 0,
  );
  m.schemas = [...m.schemas, { ...schema, schemaId }];
  m.lastColumnId = newLastColumnId;
  b.lastAddedSchemaId = schemaId;
}

/**
 * Binds a client's spec: fields without an id reuse the id of an equal field (same source and
 * transform) of an earlier spec, or get the next one; v1 tables need ids 1000, 1001, … by
 * position. An equal spec is reused.
 */
function addSpec(b: Builder, unbound: UnboundPartitionSpec): void {
  const m = b.m;
  let last = m.lastPartitionId;
  const previous = m.partitionSpecs.flatMap((s) => s.fields);
  const fields = unbound.fields.map((f, i): PartitionField => {
    let fieldId = f.fieldId;
    if (m.formatVersion === 1) {
      if (fieldId !== undefined && fieldId !== PARTITION_DATA_ID_START + i)
        throw badRequest(
          `Invalid partition spec for a v1 table: field ${f.name} must have id ${PARTITION_DATA_ID_START + i}`,
        );
      fieldId = PARTITION_DATA_ID_START + i;
    }
    fieldId ??= previous.find(
      (p) => p.sourceId === f.sourceId && transformsEqual(p.transform, f.transform) && p.name === f.name,
    )?.fieldId;
    if (fieldId === undefined) fieldId = ++last;
    return { ...f, fieldId };
  });
  const candidate: PartitionSpec = { specId: 0, fields };
  if (m.schemas.length > 0) validatePartitionSpec(candidate, currentSchema(m));
  else if (fields.length > 0) throw badRequest("Cannot add a partition spec before the table has a schema");
  const existing = m.partitionSpecs.find((s) => sameSpecFields(s, candidate));
  m.lastPartitionId = Math.max(m.lastPartitionId, highestPartitionId([candidate]));
  if (existing) {
    b.lastAddedSpecId = existing.specId;
    return;
  }
  const specId = m.partitionSpecs.reduce((max, s) => Math.max(max, s.specId + 1), 0);
  m.partitionSpecs = [...m.partitionSpecs, { specId, fields }];
  b.lastAddedSpecId = specId;
}

function addSortOrder(b: Builder, order: SortOrder): void {
  const m = b.m;
  if (order.fields.length > 0) {
    if (m.schemas.length === 0) throw badRequest("Cannot add a sort order before the table has a schema");
    validateSortOrder({ ...order, orderId: 1 }, currentSchema(m));
  }
  const existing = m.sortOrders.find((s) => sameSortFields(s, order));
  if (existing) {
    b.lastAddedOrderId = existing.orderId;
    return;
  }
  const orderId =
    order.fields.length === 0
      ? UNSORTED_ORDER_ID
      : m.sortOrders.reduce((max, s) => Math.max(max, s.orderId + 1), UNSORTED_ORDER_ID + 1);
  m.sortOrders = [...m.sortOrders, { orderId, fields: order.fields }];
  b.lastAddedOrderId = orderId;
}

function addSnapshot(b: Builder, s: Snapshot): void {
  const m = b.m;
  if (m.snapshots.some((x) => x.snapshotId === s.snapshotId))
    throw badRequest(`Cannot add snapshot ${s.snapshotId}: a snapshot with that id already exists`);
  if (m.formatVersion >= 2 && s.sequenceNumber <= m.lastSequenceNumber && s.parentSnapshotId !== undefined)
    throw badRequest(
      `Cannot add snapshot ${s.snapshotId} with sequence number ${s.sequenceNumber}: not after the last sequence number ${m.lastSequenceNumber}`,
    );
  if (s.schemaId !== undefined && !m.schemas.some((x) => x.schemaId === s.schemaId))
    throw badRequest(`Cannot add snapshot ${s.snapshotId}: unknown schema ${s.schemaId}`);
  if (m.formatVersion >= 3 && m.nextRowId !== undefined) {
    if (s.firstRowId === undefined || s.addedRows === undefined)
      throw badRequest(
        `Cannot add snapshot ${s.snapshotId} to a v3 table without first-row-id and added-rows`,
      );
    if (s.firstRowId < m.nextRowId)
      throw badRequest(
        `Cannot add snapshot ${s.snapshotId}: first-row-id ${s.firstRowId} is behind the table's next-row-id ${m.nextRowId}`,
      );
    m.nextRowId = s.firstRowId + s.addedRows;
  }
  m.snapshots = [...m.snapshots, s];
  b.addedSnapshotIds.add(s.snapshotId);
  // As Java and pyiceberg: the metadata dates from the snapshot it adds.
  b.lastUpdatedMs = s.timestampMs;
  if (m.formatVersion >= 2) m.lastSequenceNumber = Math.max(m.lastSequenceNumber, s.sequenceNumber);
}

function setRef(b: Builder, name: string, ref: SnapshotRef): void {
  const m = b.m;
  const snapshot = m.snapshots.find((s) => s.snapshotId === ref.snapshotId);
  if (!snapshot) throw badRequest(`Cannot set ${ref.type} ${name} to unknown snapshot ${ref.snapshotId}`);
  const current = m.refs[name];
  if (current && JSON.stringify(current, bigints) === JSON.stringify(ref, bigints)) return;
  if (name === MAIN_BRANCH && ref.type !== "branch")
    throw badRequest(`Cannot make ${MAIN_BRANCH} a tag: it must be a branch`);
  if (b.addedSnapshotIds.has(ref.snapshotId)) b.lastUpdatedMs = snapshot.timestampMs;
  m.refs = { ...m.refs, [name]: ref };
  if (name === MAIN_BRANCH) {
    m.currentSnapshotId = ref.snapshotId;
    const entry: SnapshotLogEntry = {
      snapshotId: ref.snapshotId,
      timestampMs: b.lastUpdatedMs ?? b.now,
    };
    m.snapshotLog = [...m.snapshotLog, entry];
  }
}

const bigints = (_k: string, v: unknown): unknown => (typeof v === "bigint" ? v.toString() : v);

/**
 * Removes snapshots with the refs, statistics and partition statistics that point at them. The
 * snapshot log keeps only the entries after the last removed snapshot, so it never has a gap.
 */
function removeSnapshots(b: Builder, ids: Set<bigint>): void {
  const m = b.m;
  m.snapshots = m.snapshots.filter((s) => !ids.has(s.snapshotId));
  m.statistics = m.statistics.filter((s) => !ids.has(s.snapshotId));
  m.partitionStatistics = m.partitionStatistics.filter((s) => !ids.has(s.snapshotId));
  const refs: Record<string, SnapshotRef> = {};
  for (const [name, ref] of Object.entries(m.refs)) if (!ids.has(ref.snapshotId)) refs[name] = ref;
  m.refs = refs;
  if (m.currentSnapshotId !== undefined && ids.has(m.currentSnapshotId)) delete m.currentSnapshotId;
  const known = new Set(m.snapshots.map((s) => s.snapshotId));
  let lastGone = -1;
  m.snapshotLog.forEach((e, i) => {
    if (!known.has(e.snapshotId)) lastGone = i;
  });
  m.snapshotLog = m.snapshotLog.slice(lastGone + 1);
}

/**
 * Adds the metadata file a commit replaces to the metadata log, keeping the newest
 * `write.metadata.previous-versions-max` entries (default 100) as Java does. `timestampMs` is the
 * replaced metadata's `last-updated-ms`.
 */
export function addPreviousMetadataFile(
  m: TableMetadata,
  metadataFile: string,
  timestampMs: number,
): TableMetadata {
  const max = Number(m.properties["write.metadata.previous-versions-max"] ?? 100);
  const log = [...m.metadataLog, { metadataFile, timestampMs }];
  const keep = Number.isInteger(max) && max >= 0 ? max : 100;
  return { ...m, metadataLog: log.slice(Math.max(0, log.length - keep)) };
}
