import { badRequest } from "../core/errors.ts";
import {
  type IcebergType,
  type NestedField,
  type StructType,
  isPrimitive,
  nestedFieldToJson,
  structFromJson,
} from "./types.ts";

/**
 * A table schema (spec "Schemas"): a struct with a `schema-id` and the ids of the fields that
 * identify a row (`identifier-field-ids`).
 */
export interface Schema {
  readonly schemaId: number;
  readonly identifierFieldIds: readonly number[];
  readonly fields: readonly NestedField[];
}

export const asStruct = (s: Schema): StructType => ({ type: "struct", fields: s.fields });

/** Reads a schema; `defaultId` is used when `schema-id` is absent (v1 `schema`). Validates identifier fields. */
export function schemaFromJson(json: unknown, defaultId?: number): Schema {
  const struct = structFromJson(json, "schema");
  const obj = json as Record<string, unknown>;
  const rawId = obj["schema-id"];
  let schemaId: number;
  if (rawId === undefined) {
    if (defaultId === undefined) throw badRequest(`Cannot parse schema: missing "schema-id"`);
    schemaId = defaultId;
  } else if (typeof rawId === "number" && Number.isSafeInteger(rawId)) {
    schemaId = rawId;
  } else {
    throw badRequest(`Cannot parse schema: "schema-id" must be an integer, got ${String(rawId)}`);
  }
  const rawIds = obj["identifier-field-ids"] ?? [];
  if (!Array.isArray(rawIds) || !rawIds.every((v) => typeof v === "number" && Number.isSafeInteger(v)))
    throw badRequest(`Cannot parse schema ${schemaId}: "identifier-field-ids" must be a list of integers`);
  const schema: Schema = { schemaId, identifierFieldIds: rawIds as number[], fields: struct.fields };
  validateSchema(schema);
  return schema;
}

export function schemaToJson(s: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = { type: "struct", "schema-id": s.schemaId };
  if (s.identifierFieldIds.length > 0) out["identifier-field-ids"] = [...s.identifierFieldIds];
  out.fields = s.fields.map(nestedFieldToJson);
  return out;
}

/** One field of a schema with where it sits: its dotted name and the fields it is nested in. */
export interface IndexedField {
  readonly field: NestedField;
  readonly name: string;
  readonly parents: readonly NestedField[];
  /** Whether a list or map lies between the schema root and this field. */
  readonly inListOrMap: boolean;
}

/**
 * Every field of a schema by id, nested fields included. List elements are named `element`, map keys
 * and values `key` and `value`, as Java's name index does (`points.element.x`).
 */
export function indexFields(s: Schema | StructType): Map<number, IndexedField> {
  const index = new Map<number, IndexedField>();
  const visit = (
    fields: readonly NestedField[],
    prefix: string,
    parents: NestedField[],
    inListOrMap: boolean,
  ): void => {
    for (const f of fields) {
      const name = prefix + f.name;
      if (index.has(f.id)) throw badRequest(`Invalid schema: field id ${f.id} is used more than once`);
      index.set(f.id, { field: f, name, parents, inListOrMap });
      visitType(f.type, `${name}.`, [...parents, f], inListOrMap);
    }
  };
  const visitType = (t: IcebergType, prefix: string, parents: NestedField[], inListOrMap: boolean): void => {
    if (t.type === "struct") visit(t.fields, prefix, parents, inListOrMap);
    else if (t.type === "list")
      visit(
        [{ id: t.elementId, name: "element", required: t.elementRequired, type: t.element }],
        prefix,
        parents,
        true,
      );
    else if (t.type === "map")
      visit(
        [
          { id: t.keyId, name: "key", required: true, type: t.key },
          { id: t.valueId, name: "value", required: t.valueRequired, type: t.value },
        ],
        prefix,
        parents,
        true,
      );
  };
  visit(s.fields, "", [], false);
  return index;
}

export function findField(s: Schema, id: number): NestedField | undefined {
  return indexFields(s).get(id)?.field;
}

/** Finds a field by its dotted name (`location.lat`, `tags.key`); exact, or ignoring case. */
export function findFieldByName(s: Schema, name: string, caseSensitive = true): NestedField | undefined {
  const wanted = caseSensitive ? name : name.toLowerCase();
  for (const { field, name: n } of indexFields(s).values())
    if ((caseSensitive ? n : n.toLowerCase()) === wanted) return field;
  return undefined;
}

/** The dotted name of a field id, or undefined. */
export function fieldName(s: Schema, id: number): string | undefined {
  return indexFields(s).get(id)?.name;
}

/** The highest field id used anywhere in the schema (0 for an empty one). */
export function highestFieldId(s: Schema | StructType): number {
  let max = 0;
  for (const id of indexFields(s).keys()) if (id > max) max = id;
  return max;
}

/**
 * Checks the schema's invariants: unique field ids, unique names among siblings, and identifier
 * fields that are required primitives (not float/double), outside lists and maps and not nested in
 * an optional struct (spec "Identifier Field IDs").
 */
export function validateSchema(s: Schema): void {
  const index = indexFields(s);
  checkSiblingNames(s.fields, "");
  for (const { field, name } of index.values())
    if (field.type.type === "unknown" && field.required)
      throw badRequest(`Invalid schema ${s.schemaId}: field ${name} of type unknown must be optional`);
  for (const id of s.identifierFieldIds) {
    const entry = index.get(id);
    const what = `Invalid identifier field ${id} in schema ${s.schemaId}`;
    if (!entry) throw badRequest(`${what}: no such field`);
    const { field, name, parents, inListOrMap } = entry;
    if (!isPrimitive(field.type)) throw badRequest(`${what} (${name}): not a primitive type`);
    if (field.type.type === "float" || field.type.type === "double")
      throw badRequest(`${what} (${name}): must not be float or double`);
    if (!field.required) throw badRequest(`${what} (${name}): not a required field`);
    if (inListOrMap) throw badRequest(`${what} (${name}): must not be nested in a list or map`);
    const optional = parents.find((p) => !p.required);
    if (optional)
      throw badRequest(`${what} (${name}): must not be nested in optional field ${optional.name}`);
  }
}

function checkSiblingNames(fields: readonly NestedField[], prefix: string): void {
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) throw badRequest(`Invalid schema: duplicate field name ${prefix}${f.name}`);
    seen.add(f.name);
    let t = f.type;
    while (t.type === "list" || t.type === "map") t = t.type === "list" ? t.element : t.value;
    if (t.type === "struct") checkSiblingNames(t.fields, `${prefix}${f.name}.`);
  }
}

/**
 * Gives every field a fresh id in pre-order from `lastColumnId + 1`, as `create-table` does (Java's
 * `TypeUtil.assignFreshIds`): a struct's fields get consecutive ids before their children are
 * numbered. Identifier field ids follow their fields.
 */
export function assignFreshIds(
  s: Schema,
  lastColumnId = 0,
  schemaId = s.schemaId,
): { schema: Schema; lastColumnId: number } {
  let next = lastColumnId;
  const mapping = new Map<number, number>();
  const fresh = (oldId: number): number => {
    next += 1;
    mapping.set(oldId, next);
    return next;
  };
  const reassignFields = (fields: readonly NestedField[]): NestedField[] => {
    const ids = fields.map((f) => fresh(f.id));
    return fields.map((f, i) => ({ ...f, id: ids[i] as number, type: reassignType(f.type) }));
  };
  const reassignType = (t: IcebergType): IcebergType => {
    switch (t.type) {
      case "struct":
        return { type: "struct", fields: reassignFields(t.fields) };
      case "list": {
        const elementId = fresh(t.elementId);
        return { ...t, elementId, element: reassignType(t.element) };
      }
      case "map": {
        const keyId = fresh(t.keyId);
        const valueId = fresh(t.valueId);
        return { ...t, keyId, valueId, key: reassignType(t.key), value: reassignType(t.value) };
      }
      default:
        return t;
    }
  };
  const fields = reassignFields(s.fields);
  const identifierFieldIds = s.identifierFieldIds.map((id) => {
    const mapped = mapping.get(id);
    if (mapped === undefined) throw badRequest(`Invalid identifier field ${id}: no such field`);
    return mapped;
  });
  return { schema: { schemaId, identifierFieldIds, fields }, lastColumnId: next };
}

/** Schemas are equal when their structure and identifier fields are, whatever their ids. */
export function sameSchemaStructure(a: Schema, b: Schema): boolean {
  const key = (s: Schema) =>
    JSON.stringify({ f: s.fields.map(nestedFieldToJson), i: [...s.identifierFieldIds].sort() }, (_k, v) =>
      typeof v === "bigint" ? `${v}n` : (v as unknown),
    );
  return key(a) === key(b);
}
