import { badRequest } from "../core/errors.ts";
import { type Schema, findField, findFieldByName, fieldName, indexFields } from "./schema.ts";
import { canTransform, parseTransform, resultType, type Transform, transformToString } from "./transforms.ts";
import type { NestedField, StructType } from "./types.ts";

/**
 * Partition specs (spec "Partitioning"): fields that derive a partition value from a source column
 * by a transform. Partition field ids start at 1000; a table's `last-partition-id` is 999 until it
 * has one.
 */
export interface PartitionField {
  /** The source column; for a multi-argument transform (v3), the first of `sourceIds`. */
  readonly sourceId: number;
  /** v3 multi-argument transforms only. */
  readonly sourceIds?: readonly number[];
  readonly fieldId: number;
  readonly name: string;
  readonly transform: Transform;
}

export interface PartitionSpec {
  readonly specId: number;
  readonly fields: readonly PartitionField[];
}

export const PARTITION_DATA_ID_START = 1000;
export const UNPARTITIONED_LAST_ASSIGNED_ID = 999;
export const UNPARTITIONED: PartitionSpec = { specId: 0, fields: [] };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

/**
 * Reads one partition field. `defaultFieldId` is used when `field-id` is absent, as in v1 metadata
 * where ids were assigned by position from 1000.
 */
export function partitionFieldFromJson(json: unknown, defaultFieldId?: number): PartitionField {
  if (!isObject(json)) throw badRequest(`Cannot parse partition field from ${String(json)}`);
  const name = json.name;
  if (typeof name !== "string") throw badRequest(`Cannot parse partition field: "name" must be a string`);
  const what = `partition field ${name}`;
  if (typeof json.transform !== "string")
    throw badRequest(`Cannot parse ${what}: "transform" must be a string`);
  const transform = parseTransform(json.transform);
  let sourceIds: number[] | undefined;
  let sourceId: number;
  if (json["source-ids"] !== undefined) {
    const ids = json["source-ids"];
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every(isInt))
      throw badRequest(`Cannot parse ${what}: "source-ids" must be a non-empty list of integers`);
    sourceIds = ids;
    sourceId = ids[0] as number;
  } else if (isInt(json["source-id"])) {
    sourceId = json["source-id"];
  } else {
    throw badRequest(`Cannot parse ${what}: "source-id" must be an integer`);
  }
  let fieldId: number;
  if (json["field-id"] === undefined) {
    if (defaultFieldId === undefined) throw badRequest(`Cannot parse ${what}: missing "field-id"`);
    fieldId = defaultFieldId;
  } else if (isInt(json["field-id"])) {
    fieldId = json["field-id"];
  } else {
    throw badRequest(`Cannot parse ${what}: "field-id" must be an integer`);
  }
  return sourceIds && sourceIds.length > 1
    ? { sourceId, sourceIds, fieldId, name, transform }
    : { sourceId, fieldId, name, transform };
}

export function partitionFieldToJson(f: PartitionField): Json {
  const out: Json = { name: f.name, transform: transformToString(f.transform) };
  if (f.sourceIds && f.sourceIds.length > 1) out["source-ids"] = [...f.sourceIds];
  else out["source-id"] = f.sourceId;
  out["field-id"] = f.fieldId;
  return out;
}

/** Reads the list of fields of a v1 `partition-spec` (ids default to 1000 + position). */
export function partitionFieldsFromJson(json: unknown): PartitionField[] {
  if (!Array.isArray(json)) throw badRequest(`Cannot parse partition spec: "fields" must be an array`);
  return json.map((f, i) => partitionFieldFromJson(f, PARTITION_DATA_ID_START + i));
}

export function partitionSpecFromJson(json: unknown): PartitionSpec {
  if (!isObject(json)) throw badRequest(`Cannot parse partition spec from ${String(json)}`);
  const specId = json["spec-id"];
  if (!isInt(specId)) throw badRequest(`Cannot parse partition spec: "spec-id" must be an integer`);
  return { specId, fields: partitionFieldsFromJson(json.fields) };
}

export function partitionSpecToJson(s: PartitionSpec): Json {
  return { "spec-id": s.specId, fields: s.fields.map(partitionFieldToJson) };
}

export const isUnpartitioned = (s: PartitionSpec): boolean =>
  s.fields.every((f) => f.transform.kind === "void");

/** The highest partition field id of the specs, or 999 when there is none. */
export function lastPartitionId(specs: readonly PartitionSpec[]): number {
  let max = UNPARTITIONED_LAST_ASSIGNED_ID;
  for (const s of specs) for (const f of s.fields) if (f.fieldId > max) max = f.fieldId;
  return max;
}

/**
 * The struct of a spec's partition values against a schema: one optional field per partition
 * field, with the transform's result type. Fields whose source column was dropped keep the
 * transform's result for an unknown source as `unknown`.
 */
export function partitionType(spec: PartitionSpec, schema: Schema): StructType {
  const index = indexFields(schema);
  const fields: NestedField[] = spec.fields.map((f) => {
    const source = index.get(f.sourceId)?.field.type;
    const type = source ? resultType(f.transform, source) : ({ type: "unknown" } as const);
    return { id: f.fieldId, name: f.name, required: false, type };
  });
  return { type: "struct", fields };
}

/**
 * Checks a spec against a schema: unique names and field ids, sources that exist and that the
 * transform accepts, no two fields with the same source and transform, and names that do not shadow
 * a schema column unless they are an identity of it. Void fields may have any source (v1 keeps them
 * for dropped fields).
 */
export function validatePartitionSpec(spec: PartitionSpec, schema: Schema): void {
  const names = new Set<string>();
  const ids = new Set<number>();
  const transforms = new Set<string>();
  for (const f of spec.fields) {
    const what = `Invalid partition spec ${spec.specId}: field ${f.name}`;
    if (f.name === "") throw badRequest(`Invalid partition spec ${spec.specId}: empty field name`);
    if (names.has(f.name)) throw badRequest(`${what}: duplicate name`);
    names.add(f.name);
    if (ids.has(f.fieldId)) throw badRequest(`${what}: duplicate field id ${f.fieldId}`);
    ids.add(f.fieldId);
    if (f.transform.kind === "void") continue;
    for (const sourceId of f.sourceIds ?? [f.sourceId]) {
      const source = findField(schema, sourceId);
      if (!source)
        throw badRequest(`${what}: source field ${sourceId} not found in schema ${schema.schemaId}`);
      if (!canTransform(f.transform, source.type))
        throw badRequest(
          `${what}: transform ${transformToString(f.transform)} cannot be applied to ${fieldName(schema, sourceId)}`,
        );
    }
    const key = `${(f.sourceIds ?? [f.sourceId]).join(",")}:${transformToString(f.transform)}`;
    if (transforms.has(key)) throw badRequest(`${what}: same source and transform as another field`);
    transforms.add(key);
    const shadowed = findFieldByName(schema, f.name);
    if (shadowed && !(f.transform.kind === "identity" && shadowed.id === f.sourceId))
      throw badRequest(`${what}: name conflicts with schema column ${f.name}`);
  }
}

/**
 * Rebinds a spec given against `from` to the columns of `to` by name and gives it fresh partition
 * field ids from `lastPartitionId + 1` (what `create-table` and `replace-table` do).
 */
export function assignFreshSpecIds(
  spec: PartitionSpec,
  from: Schema,
  to: Schema,
  lastAssigned = UNPARTITIONED_LAST_ASSIGNED_ID,
  specId = 0,
): PartitionSpec {
  let next = lastAssigned;
  const rebind = (id: number): number => {
    const name = fieldName(from, id);
    const target = name === undefined ? undefined : findFieldByName(to, name);
    if (!target)
      throw badRequest(`Cannot find source column ${name ?? id} for partition field in new schema`);
    return target.id;
  };
  const fields = spec.fields.map((f): PartitionField => {
    next += 1;
    const sourceIds = f.sourceIds?.map(rebind);
    const base = { sourceId: rebind(f.sourceId), fieldId: next, name: f.name, transform: f.transform };
    return sourceIds ? { ...base, sourceIds } : base;
  });
  return { specId, fields };
}

/** Same fields (ids, sources, transforms, names), whatever the spec id. */
export function sameSpecFields(a: PartitionSpec, b: PartitionSpec): boolean {
  const key = (s: PartitionSpec) => JSON.stringify(s.fields.map(partitionFieldToJson));
  return key(a) === key(b);
}
