import { randomUUID } from "node:crypto";
import { badRequest } from "../core/errors.ts";
import {
  assignFreshSpecIds,
  lastPartitionId,
  type PartitionSpec,
  UNPARTITIONED_LAST_ASSIGNED_ID,
  validatePartitionSpec,
} from "./partition-spec.ts";
import { assignFreshIds, fieldName, findFieldByName, type Schema } from "./schema.ts";
import { type SortOrder, UNSORTED, validateSortOrder } from "./sort-order.ts";
import { type FormatVersion, SUPPORTED_FORMAT_VERSIONS, type TableMetadata } from "./table-metadata.ts";
import type { UnboundPartitionSpec } from "./updates.ts";

/**
 * The metadata of a new table from a create request (REST `CreateTableRequest`), as Java's
 * `TableMetadata.newTableMetadata` builds it: the schema gets fresh field ids from 1, the spec fresh
 * partition field ids from 1000 and id 0, the sort order id 1 (0 when unsorted), all rebound to the
 * fresh schema by column name. The reserved `format-version` property picks the format version
 * (default 2) and is not kept as a property.
 */
export interface NewTable {
  readonly schema: Schema;
  readonly spec?: UnboundPartitionSpec;
  readonly sortOrder?: SortOrder;
  readonly location: string;
  readonly properties?: Readonly<Record<string, string>>;
  readonly formatVersion?: number;
  readonly tableUuid?: string;
  readonly nowMs?: number;
}

export const DEFAULT_FORMAT_VERSION: FormatVersion = 2;

export function newTableMetadata(t: NewTable): TableMetadata {
  if (t.location === "") throw badRequest("Cannot create a table without a location");
  const { "format-version": versionProperty, ...properties } = t.properties ?? {};
  const formatVersion = Number(versionProperty ?? t.formatVersion ?? DEFAULT_FORMAT_VERSION);
  if (!(SUPPORTED_FORMAT_VERSIONS as readonly number[]).includes(formatVersion))
    throw badRequest(
      `Cannot create a table with unsupported format version ${versionProperty ?? t.formatVersion}`,
    );
  const { schema, lastColumnId } = assignFreshIds(t.schema, 0, 0);
  const bound: PartitionSpec = {
    specId: 0,
    fields: (t.spec?.fields ?? []).map((f, i) => ({ ...f, fieldId: f.fieldId ?? i })),
  };
  const spec = assignFreshSpecIds(bound, t.schema, schema, UNPARTITIONED_LAST_ASSIGNED_ID, 0);
  validatePartitionSpec(spec, schema);
  const sortOrder = freshSortOrder(t.sortOrder ?? UNSORTED, t.schema, schema);
  validateSortOrder(sortOrder, schema);
  const meta: TableMetadata = {
    formatVersion: formatVersion as FormatVersion,
    tableUuid: t.tableUuid ?? randomUUID(),
    location: t.location.replace(/\/+$/, ""),
    lastSequenceNumber: 0,
    lastUpdatedMs: t.nowMs ?? Date.now(),
    lastColumnId,
    schemas: [schema],
    currentSchemaId: schema.schemaId,
    partitionSpecs: [spec],
    defaultSpecId: spec.specId,
    lastPartitionId: lastPartitionId([spec]),
    properties,
    snapshots: [],
    snapshotLog: [],
    metadataLog: [],
    sortOrders: [sortOrder],
    defaultSortOrderId: sortOrder.orderId,
    refs: {},
    statistics: [],
    partitionStatistics: [],
  };
  return formatVersion >= 3 ? { ...meta, nextRowId: 0n } : meta;
}

function freshSortOrder(order: SortOrder, from: Schema, to: Schema): SortOrder {
  if (order.fields.length === 0) return UNSORTED;
  const rebind = (id: number): number => {
    const name = fieldName(from, id);
    const target = name === undefined ? undefined : findFieldByName(to, name);
    if (!target) throw badRequest(`Cannot find source column ${name ?? id} for sort field in the new schema`);
    return target.id;
  };
  return {
    orderId: 1,
    fields: order.fields.map((f) => {
      const sourceIds = f.sourceIds?.map(rebind);
      return sourceIds
        ? { ...f, sourceId: rebind(f.sourceId), sourceIds }
        : { ...f, sourceId: rebind(f.sourceId) };
    }),
  };
}
