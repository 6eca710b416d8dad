import { badRequest } from "../core/errors.ts";
import { type EncryptionKey, encryptionKeyFromJson, encryptionKeyToJson } from "./encryption-key.ts";
import {
  asObject,
  describeJson,
  intList,
  type JsonObject,
  optInt,
  optLong,
  reqArray,
  reqInt,
  reqLong,
  reqString,
  stringList,
  stringMap,
} from "./json-fields.ts";
import { type PartitionField, partitionFieldFromJson, partitionFieldToJson } from "./partition-spec.ts";
import { type Schema, schemaFromJson, schemaToJson } from "./schema.ts";
import { type Snapshot, snapshotFromJson, snapshotToJson } from "./snapshot.ts";
import { type SnapshotRef, snapshotRefFromJson, snapshotRefToJson } from "./snapshot-ref.ts";
import { type SortOrder, sortOrderFromJson, sortOrderToJson } from "./sort-order.ts";
import {
  type PartitionStatisticsFile,
  partitionStatisticsFileFromJson,
  partitionStatisticsFileToJson,
  type StatisticsFile,
  statisticsFileFromJson,
  statisticsFileToJson,
} from "./statistics.ts";

/**
 * The REST catalog's `TableUpdate`s (OpenAPI `TableUpdate`, 23 actions) as one discriminated union
 * keeping the wire names in `action`. `-1` for `set-current-schema`, `set-default-spec` and
 * `set-default-sort-order` means "the one added last in this commit".
 */
export type TableUpdate =
  | { readonly action: "assign-uuid"; readonly uuid: string }
  | { readonly action: "upgrade-format-version"; readonly formatVersion: number }
  | { readonly action: "add-schema"; readonly schema: Schema; readonly lastColumnId?: number }
  | { readonly action: "set-current-schema"; readonly schemaId: number }
  | { readonly action: "add-spec"; readonly spec: UnboundPartitionSpec }
  | { readonly action: "set-default-spec"; readonly specId: number }
  | { readonly action: "add-sort-order"; readonly sortOrder: SortOrder }
  | { readonly action: "set-default-sort-order"; readonly sortOrderId: number }
  | { readonly action: "add-snapshot"; readonly snapshot: Snapshot }
  | { readonly action: "set-snapshot-ref"; readonly refName: string; readonly ref: SnapshotRef }
  | { readonly action: "remove-snapshots"; readonly snapshotIds: readonly bigint[] }
  | { readonly action: "remove-snapshot-ref"; readonly refName: string }
  | { readonly action: "set-location"; readonly location: string }
  | { readonly action: "set-properties"; readonly updates: Readonly<Record<string, string>> }
  | { readonly action: "remove-properties"; readonly removals: readonly string[] }
  | { readonly action: "set-statistics"; readonly statistics: StatisticsFile }
  | { readonly action: "remove-statistics"; readonly snapshotId: bigint }
  | { readonly action: "set-partition-statistics"; readonly partitionStatistics: PartitionStatisticsFile }
  | { readonly action: "remove-partition-statistics"; readonly snapshotId: bigint }
  | { readonly action: "remove-partition-specs"; readonly specIds: readonly number[] }
  | { readonly action: "remove-schemas"; readonly schemaIds: readonly number[] }
  | { readonly action: "add-encryption-key"; readonly encryptionKey: EncryptionKey }
  | { readonly action: "remove-encryption-key"; readonly keyId: string };

export type TableUpdateAction = TableUpdate["action"];

/** A partition field as a client sends it: without `field-id`, the table assigns one. */
export type UnboundPartitionField = Omit<PartitionField, "fieldId"> & { readonly fieldId?: number };

/** A partition spec as a client sends it; its `spec-id` is only a hint, the table assigns the id. */
export interface UnboundPartitionSpec {
  readonly specId?: number;
  readonly fields: readonly UnboundPartitionField[];
}

export const TABLE_UPDATE_ACTIONS: readonly TableUpdateAction[] = [
  "assign-uuid",
  "upgrade-format-version",
  "add-schema",
  "set-current-schema",
  "add-spec",
  "set-default-spec",
  "add-sort-order",
  "set-default-sort-order",
  "add-snapshot",
  "set-snapshot-ref",
  "remove-snapshots",
  "remove-snapshot-ref",
  "set-location",
  "set-properties",
  "remove-properties",
  "set-statistics",
  "remove-statistics",
  "set-partition-statistics",
  "remove-partition-statistics",
  "remove-partition-specs",
  "remove-schemas",
  "add-encryption-key",
  "remove-encryption-key",
];

export function unboundSpecFromJson(json: unknown, what: string): UnboundPartitionSpec {
  const o = asObject(json, what);
  const fields = reqArray(o, "fields", what).map((f): UnboundPartitionField => {
    const { fieldId, ...rest } = partitionFieldFromJson(f, -1);
    return (f as JsonObject)["field-id"] === undefined ? rest : { ...rest, fieldId };
  });
  const specId = optInt(o, "spec-id", what);
  return specId === undefined ? { fields } : { specId, fields };
}

export function unboundSpecToJson(s: UnboundPartitionSpec): JsonObject {
  const fields = s.fields.map((f) => {
    const json = partitionFieldToJson({ ...f, fieldId: f.fieldId ?? -1 });
    if (f.fieldId === undefined) delete json["field-id"];
    return json;
  });
  return s.specId === undefined ? { fields } : { "spec-id": s.specId, fields };
}

/** Reads one update; throws BAD_REQUEST naming the action and the field that is wrong. */
export function tableUpdateFromJson(json: unknown): TableUpdate {
  const o = asObject(json, "table update");
  const action = o.action;
  if (typeof action !== "string" || !(TABLE_UPDATE_ACTIONS as readonly string[]).includes(action))
    throw badRequest(
      `Cannot parse table update: unknown action ${describeJson(action)}; expected one of ${TABLE_UPDATE_ACTIONS.join(", ")}`,
    );
  const what = `update ${action}`;
  const a = action as TableUpdateAction;
  const sub = (key: string): unknown => {
    if (o[key] === undefined || o[key] === null) throw badRequest(`Cannot parse ${what}: missing "${key}"`);
    return o[key];
  };
  switch (a) {
    case "assign-uuid":
      return { action: a, uuid: reqString(o, "uuid", what) };
    case "upgrade-format-version":
      return { action: a, formatVersion: reqInt(o, "format-version", what) };
    case "add-schema": {
      const schema = schemaFromJson(sub("schema"), 0);
      const lastColumnId = optInt(o, "last-column-id", what);
      return lastColumnId === undefined ? { action: a, schema } : { action: a, schema, lastColumnId };
    }
    case "set-current-schema":
      return { action: a, schemaId: reqInt(o, "schema-id", what) };
    case "add-spec":
      return { action: a, spec: unboundSpecFromJson(sub("spec"), `${what} spec`) };
    case "set-default-spec":
      return { action: a, specId: reqInt(o, "spec-id", what) };
    case "add-sort-order":
      return { action: a, sortOrder: sortOrderFromJson(sub("sort-order")) };
    case "set-default-sort-order":
      return { action: a, sortOrderId: reqInt(o, "sort-order-id", what) };
    case "add-snapshot": {
      const raw = asObject(sub("snapshot"), `${what} snapshot`);
      const snapshot = snapshotFromJson(raw);
      if (raw["manifest-list"] === undefined)
        throw badRequest(`Cannot parse ${what}: missing "manifest-list"`);
      if (snapshot.summary === undefined) throw badRequest(`Cannot parse ${what}: missing "summary"`);
      return { action: a, snapshot };
    }
    case "set-snapshot-ref": {
      const refName = reqString(o, "ref-name", what);
      if (refName === "") throw badRequest(`Cannot parse ${what}: "ref-name" must not be empty`);
      return { action: a, refName, ref: snapshotRefFromJson(o, `${what} ${refName}`) };
    }
    case "remove-snapshots": {
      const snapshotIds = reqArray(o, "snapshot-ids", what).map((v) => {
        if (typeof v === "bigint") return v;
        if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
        throw badRequest(`Cannot parse ${what}: "snapshot-ids" must hold integers, got ${describeJson(v)}`);
      });
      return { action: a, snapshotIds };
    }
    case "remove-snapshot-ref":
      return { action: a, refName: reqString(o, "ref-name", what) };
    case "set-location":
      return { action: a, location: reqString(o, "location", what) };
    case "set-properties":
      return { action: a, updates: stringMap(o, "updates", what) };
    case "remove-properties":
      return { action: a, removals: stringList(o, "removals", what) };
    case "set-statistics": {
      const statistics = statisticsFileFromJson(sub("statistics"));
      const legacyId = optLong(o, "snapshot-id", what);
      if (legacyId !== undefined && legacyId !== statistics.snapshotId)
        throw badRequest(
          `Cannot parse ${what}: "snapshot-id" ${legacyId} differs from the statistics' snapshot-id ${statistics.snapshotId}`,
        );
      return { action: a, statistics };
    }
    case "remove-statistics":
      return { action: a, snapshotId: reqLong(o, "snapshot-id", what) };
    case "set-partition-statistics":
      return { action: a, partitionStatistics: partitionStatisticsFileFromJson(sub("partition-statistics")) };
    case "remove-partition-statistics":
      return { action: a, snapshotId: reqLong(o, "snapshot-id", what) };
    case "remove-partition-specs":
      return { action: a, specIds: intList(o, "spec-ids", what) };
    case "remove-schemas":
      return { action: a, schemaIds: intList(o, "schema-ids", what) };
    case "add-encryption-key":
      return { action: a, encryptionKey: encryptionKeyFromJson(sub("encryption-key")) };
    case "remove-encryption-key":
      return { action: a, keyId: reqString(o, "key-id", what) };
    default:
      return unreachable(a);
  }
}

export function tableUpdatesFromJson(json: unknown): TableUpdate[] {
  if (!Array.isArray(json))
    throw badRequest(`Cannot parse table updates: expected a list, got ${describeJson(json)}`);
  return json.map(tableUpdateFromJson);
}

/** The wire form of an update, ready for `stringifyJson`. */
export function tableUpdateToJson(u: TableUpdate): JsonObject {
  const action = { action: u.action };
  switch (u.action) {
    case "assign-uuid":
      return { ...action, uuid: u.uuid };
    case "upgrade-format-version":
      return { ...action, "format-version": u.formatVersion };
    case "add-schema":
      return u.lastColumnId === undefined
        ? { ...action, schema: schemaToJson(u.schema) }
        : { ...action, schema: schemaToJson(u.schema), "last-column-id": u.lastColumnId };
    case "set-current-schema":
      return { ...action, "schema-id": u.schemaId };
    case "add-spec":
      return { ...action, spec: unboundSpecToJson(u.spec) };
    case "set-default-spec":
      return { ...action, "spec-id": u.specId };
    case "add-sort-order":
      return { ...action, "sort-order": sortOrderToJson(u.sortOrder) };
    case "set-default-sort-order":
      return { ...action, "sort-order-id": u.sortOrderId };
    case "add-snapshot":
      return { ...action, snapshot: snapshotToJson(u.snapshot, 2) };
    case "set-snapshot-ref":
      return { ...action, "ref-name": u.refName, ...snapshotRefToJson(u.ref) };
    case "remove-snapshots":
      return { ...action, "snapshot-ids": [...u.snapshotIds] };
    case "remove-snapshot-ref":
      return { ...action, "ref-name": u.refName };
    case "set-location":
      return { ...action, location: u.location };
    case "set-properties":
      return { ...action, updates: { ...u.updates } };
    case "remove-properties":
      return { ...action, removals: [...u.removals] };
    case "set-statistics":
      return { ...action, statistics: statisticsFileToJson(u.statistics) };
    case "remove-statistics":
    case "remove-partition-statistics":
      return { ...action, "snapshot-id": u.snapshotId };
    case "set-partition-statistics":
      return { ...action, "partition-statistics": partitionStatisticsFileToJson(u.partitionStatistics) };
    case "remove-partition-specs":
      return { ...action, "spec-ids": [...u.specIds] };
    case "remove-schemas":
      return { ...action, "schema-ids": [...u.schemaIds] };
    case "add-encryption-key":
      return { ...action, "encryption-key": encryptionKeyToJson(u.encryptionKey) };
    case "remove-encryption-key":
      return { ...action, "key-id": u.keyId };
    default:
      return unreachable(u);
  }
}

/** The compile-time exhaustiveness check of every switch over updates and requirements. */
export function unreachable(x: never): never {
  throw new Error(`unhandled case ${JSON.stringify(x)}`);
}
