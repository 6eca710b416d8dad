import { badRequest } from "../core/errors.ts";
import { findFieldByName, indexFields, type Schema, validateSchema } from "./schema.ts";
import { canPromote, type IcebergType, isPrimitive, type NestedField, primitiveToString } from "./types.ts";

/**
 * Schema evolution as floe's own engine needs it for `ALTER TABLE` (Java's `UpdateSchema`): each
 * change returns a new schema (its id left for `add-schema` to assign) and the table's new
 * `last-column-id`. Columns are named by dotted paths; ids never change and are never reused, so data
 * files written before the change read correctly by id.
 */
export interface Evolved {
  readonly schema: Schema;
  readonly lastColumnId: number;
}

export interface NewColumn {
  readonly name: string;
  readonly type: IcebergType;
  readonly required?: boolean;
  readonly doc?: string;
  /** v3: required to add a required column to a table that has rows. */
  readonly initialDefault?: unknown;
}

/** Adds a column at the end of the root struct or of the struct at `parent`; nested ids are fresh. */
export function addColumn(s: Schema, lastColumnId: number, column: NewColumn, parent?: string): Evolved {
  if (column.name === "" || column.name.includes("."))
    throw badRequest(`Cannot add column "${column.name}": a name must be non-empty and without dots`);
  if (column.required && column.initialDefault === undefined)
    throw badRequest(
      `Incompatible change: cannot add required column ${column.name} without a default value`,
    );
  let next = lastColumnId;
  const fresh = (t: IcebergType): IcebergType => {
    switch (t.type) {
      case "struct":
        return { type: "struct", fields: t.fields.map((f) => ({ ...f, id: ++next, type: fresh(f.type) })) };
      case "list":
        return { ...t, elementId: ++next, element: fresh(t.element) };
      case "map": {
        const keyId = ++next;
        const valueId = ++next;
        return { ...t, keyId, valueId, key: fresh(t.key), value: fresh(t.value) };
      }
      default:
        return t;
    }
  };
  const field: NestedField = {
    id: ++next,
    name: column.name,
    required: column.required ?? false,
    type: column.type,
    ...(column.doc === undefined ? {} : { doc: column.doc }),
    ...(column.initialDefault === undefined
      ? {}
      : { initialDefault: column.initialDefault, writeDefault: column.initialDefault }),
  };
  const added: NestedField = { ...field, type: fresh(field.type) };
  const schema =
    parent === undefined
      ? { ...s, fields: [...s.fields, added] }
      : mapField(s, parent, (p) => {
          if (p.type.type !== "struct") throw badRequest(`Cannot add column to ${parent}: not a struct`);
          return { ...p, type: { type: "struct", fields: [...p.type.fields, added] } };
        });
  return checked(schema, next);
}

/** Drops a column (and everything nested in it); identifier fields cannot be dropped. */
export function dropColumn(s: Schema, lastColumnId: number, name: string): Evolved {
  const field = columnOf(s, name);
  const gone = new Set([field.id, ...indexFields({ type: "struct", fields: [field] }).keys()]);
  const blocked = s.identifierFieldIds.find((id) => gone.has(id));
  if (blocked !== undefined)
    throw badRequest(`Cannot drop column ${name}: it is (or holds) identifier field ${blocked}`);
  const drop = (fields: readonly NestedField[]): NestedField[] =>
    fields.filter((f) => f.id !== field.id).map((f) => ({ ...f, type: dropIn(f.type) }));
  const dropIn = (t: IcebergType): IcebergType => {
    if (t.type === "struct") return { type: "struct", fields: drop(t.fields) };
    if (t.type === "list") {
      if (t.elementId === field.id) throw badRequest(`Cannot drop ${name}: the element of a list`);
      return { ...t, element: dropIn(t.element) };
    }
    if (t.type === "map") {
      if (t.keyId === field.id || t.valueId === field.id)
        throw badRequest(`Cannot drop ${name}: the key or value of a map`);
      return { ...t, key: dropIn(t.key), value: dropIn(t.value) };
    }
    return t;
  };
  return checked({ ...s, fields: drop(s.fields) }, lastColumnId);
}

export function renameColumn(s: Schema, lastColumnId: number, name: string, newName: string): Evolved {
  if (newName === "" || newName.includes(".")) throw badRequest(`Cannot rename ${name} to "${newName}"`);
  return checked(
    mapField(s, name, (f) => ({ ...f, name: newName })),
    lastColumnId,
  );
}

/** Changes a primitive column's type along an allowed promotion (int → long, …). */
export function updateColumnType(
  s: Schema,
  lastColumnId: number,
  name: string,
  type: IcebergType,
  formatVersion = 2,
): Evolved {
  const field = columnOf(s, name);
  if (!isPrimitive(field.type) || !isPrimitive(type) || !canPromote(field.type, type, formatVersion))
    throw badRequest(
      `Cannot change column ${name} from ${describe(field.type)} to ${describe(type)}: not an allowed type promotion`,
    );
  return checked(
    mapField(s, name, (f) => ({ ...f, type })),
    lastColumnId,
  );
}

/** Makes a column optional (always allowed) or required (only with `allowIncompatible`, as Java). */
export function setColumnRequired(
  s: Schema,
  lastColumnId: number,
  name: string,
  required: boolean,
  allowIncompatible = false,
): Evolved {
  const field = columnOf(s, name);
  if (required && !field.required && !allowIncompatible)
    throw badRequest(`Cannot make column ${name} required: existing rows may hold nulls`);
  if (!required && s.identifierFieldIds.includes(field.id))
    throw badRequest(`Cannot make identifier field ${name} optional`);
  return checked(
    mapField(s, name, (f) => ({ ...f, required })),
    lastColumnId,
  );
}

export function setColumnDoc(
  s: Schema,
  lastColumnId: number,
  name: string,
  doc: string | undefined,
): Evolved {
  return checked(
    mapField(s, name, (f) => {
      const { doc: _old, ...rest } = f;
      return doc === undefined ? rest : { ...rest, doc };
    }),
    lastColumnId,
  );
}

/** Sets the row identifier to the named columns (validated as the spec requires). */
export function setIdentifierFields(s: Schema, lastColumnId: number, names: readonly string[]): Evolved {
  return checked({ ...s, identifierFieldIds: names.map((n) => columnOf(s, n).id) }, lastColumnId);
}

function describe(t: IcebergType): string {
  return isPrimitive(t) ? primitiveToString(t) : t.type;
}

function columnOf(s: Schema, name: string): NestedField {
  const f = findFieldByName(s, name);
  if (!f) throw badRequest(`Cannot find column ${name} in schema ${s.schemaId}`);
  return f;
}

/** Replaces the field at a dotted path, wherever it is nested. */
function mapField(s: Schema, name: string, change: (f: NestedField) => NestedField): Schema {
  const id = columnOf(s, name).id;
  const inFields = (fields: readonly NestedField[]): NestedField[] =>
    fields.map((f) => (f.id === id ? change(f) : { ...f, type: inType(f.type) }));
  const inType = (t: IcebergType): IcebergType => {
    if (t.type === "struct") return { type: "struct", fields: inFields(t.fields) };
    if (t.type === "list") {
      if (t.elementId === id) {
        const e = change({ id, name: "element", required: t.elementRequired, type: t.element });
        return { ...t, element: e.type, elementRequired: e.required };
      }
      return { ...t, element: inType(t.element) };
    }
    if (t.type === "map") {
      if (t.valueId === id) {
        const v = change({ id, name: "value", required: t.valueRequired, type: t.value });
        return { ...t, value: v.type, valueRequired: v.required };
      }
      if (t.keyId === id) return { ...t, key: change({ id, name: "key", required: true, type: t.key }).type };
      return { ...t, key: inType(t.key), value: inType(t.value) };
    }
    return t;
  };
  return { ...s, fields: inFields(s.fields) };
}

function checked(schema: Schema, lastColumnId: number): Evolved {
  validateSchema(schema);
  return { schema, lastColumnId };
}
