import { badRequest } from "../../core/errors.ts";
import { indexFields, type Schema } from "../schema.ts";
import type { IcebergType, NestedField } from "../types.ts";

/**
 * The schema with only the named columns (dotted names reach into structs, lists and maps, as
 * `indexFields` names them): a selected field keeps all of its children, and the structs above a
 * selected field keep only the selected part. Field ids, order and optionality are unchanged.
 * Throws BAD_REQUEST naming an unknown column.
 */
export function selectColumns(schema: Schema, names: readonly string[], caseSensitive = true): Schema {
  const norm = (s: string) => (caseSensitive ? s : s.toLowerCase());
  const byName = new Map([...indexFields(schema).values()].map((f) => [norm(f.name), f.field.id]));
  const ids = new Set<number>();
  for (const name of names) {
    const id = byName.get(norm(name));
    if (id === undefined)
      throw badRequest(`Cannot select column ${name}: not found in schema ${schema.schemaId}`);
    ids.add(id);
  }
  const pruneFields = (fields: readonly NestedField[]): NestedField[] =>
    fields.flatMap((f) => {
      if (ids.has(f.id)) return [f];
      const type = pruneType(f.type);
      return type ? [{ ...f, type }] : [];
    });
  const pruneType = (t: IcebergType): IcebergType | undefined => {
    switch (t.type) {
      case "struct": {
        const fields = pruneFields(t.fields);
        return fields.length > 0 ? { type: "struct", fields } : undefined;
      }
      case "list": {
        if (ids.has(t.elementId)) return t;
        const element = pruneType(t.element);
        return element ? { ...t, element } : undefined;
      }
      case "map": {
        if (ids.has(t.valueId)) return t;
        const value = pruneType(t.value);
        // A map cannot be read without its keys, so selecting keys (or into values) keeps them whole.
        if (ids.has(t.keyId)) return value ? { ...t, value } : t;
        return value ? { ...t, value } : undefined;
      }
      default:
        return undefined;
    }
  };
  return { schemaId: schema.schemaId, identifierFieldIds: [], fields: pruneFields(schema.fields) };
}
