import { badRequest } from "../../core/errors.ts";
import type { Schema } from "../../iceberg/schema.ts";
import { addColumn, type Evolved } from "../../iceberg/schema-update.ts";
import type { TableMetadata } from "../../iceberg/table-metadata.ts";
import { canPromote, type IcebergType, isPrimitive, primitiveToString } from "../../iceberg/types.ts";
import { duckType, quoteIdent } from "../duck-types.ts";
import type { InputFormat } from "./inputs.ts";
import { type InputColumn, inputColumnSql, typedFormat } from "./reader.ts";

/** How the input's columns go into an existing table. */
export interface ColumnMatch {
  /** The select list over the reader: the table's columns (and the added ones) by name. */
  readonly select: string;
  /** The DuckDB types text columns are read as: the table's for its columns, inferred for new ones. */
  readonly readerTypes: {
    readonly names: readonly string[];
    readonly get: (n: string) => string | undefined;
  };
  /** Input columns the table lacks, added by `--evolve-schema`. */
  readonly added: readonly InputColumn[];
  /** The schema change adding them, made from the table's metadata when the append commits. */
  readonly evolve?: (m: TableMetadata) => Evolved;
}

/**
 * Matches the input's columns to the table's schema by name (exactly, else ignoring case). A table
 * column the input lacks is null (refused when it is required); an input column the table lacks is
 * refused unless `evolve` adds it (optional, with the inferred type). Parquet's types must equal
 * the table's or promote to them (int → long, float → double, wider decimal); CSV and JSON are
 * parsed as the table's types, so a value that does not parse fails with DuckDB's error and line.
 */
export function matchColumns(
  schema: Schema,
  table: string,
  input: readonly InputColumn[],
  format: InputFormat,
  evolve: boolean,
): ColumnMatch {
  const byField = new Map<number, InputColumn>();
  const added: InputColumn[] = [];
  for (const c of input) {
    const f =
      schema.fields.find((x) => x.name === c.name) ??
      schema.fields.find((x) => x.name.toLowerCase() === c.name.toLowerCase());
    if (f === undefined || byField.has(f.id)) added.push(c);
    else byField.set(f.id, c);
  }
  if (added.length > 0 && !evolve)
    throw badRequest(
      `Table ${table} has no column ${added.map((c) => c.name).join(", ")} (add ${added.length > 1 ? "them" : "it"} with --evolve-schema)`,
    );
  const types = new Map<string, string>();
  const select: string[] = [];
  for (const f of schema.fields) {
    const c = byField.get(f.id);
    if (c === undefined) {
      if (f.required)
        throw badRequest(`Column ${f.name} of table ${table} is required, but the input has none`);
      select.push(`NULL AS ${quoteIdent(f.name)}`);
      continue;
    }
    if (typedFormat(format)) {
      const why = incompatible(c.type, f.type, c.name);
      if (why !== undefined) throw badRequest(`Column ${c.name} cannot go into table ${table}: ${why}`);
    } else {
      types.set(c.name, duckType(f.type));
    }
    select.push(`${inputColumnSql(c)} AS ${quoteIdent(f.name)}`);
  }
  for (const c of added) {
    types.set(c.name, c.duckType);
    select.push(`${inputColumnSql(c)} AS ${quoteIdent(c.name)}`);
  }
  return {
    select: select.join(", "),
    readerTypes: { names: input.map((c) => c.name), get: (n) => types.get(n) },
    added,
    ...(added.length === 0
      ? {}
      : {
          evolve: (m: TableMetadata) => {
            let e: Evolved = {
              schema: m.schemas.find((x) => x.schemaId === m.currentSchemaId) as Schema,
              lastColumnId: m.lastColumnId,
            };
            for (const c of added) e = addColumn(e.schema, e.lastColumnId, { name: c.name, type: c.type });
            return e;
          },
        }),
  };
}

const show = (t: IcebergType): string => (isPrimitive(t) ? primitiveToString(t) : t.type);

/** Why a value of the input's type cannot be written as the table's, or undefined when it can. */
function incompatible(input: IcebergType, table: IcebergType, path: string): string | undefined {
  if (isPrimitive(input) && isPrimitive(table))
    return canPromote(input, table) ? undefined : `the input has ${show(input)}, the table ${show(table)}`;
  if (input.type === "struct" && table.type === "struct") {
    for (const f of input.fields) {
      const t = table.fields.find((x) => x.name === f.name);
      if (t === undefined) return `the table's struct has no field ${path}.${f.name}`;
      const why = incompatible(f.type, t.type, `${path}.${f.name}`);
      if (why !== undefined) return why;
    }
    return undefined;
  }
  if (input.type === "list" && table.type === "list")
    return incompatible(input.element, table.element, `${path}.element`);
  if (input.type === "map" && table.type === "map")
    return (
      incompatible(input.key, table.key, `${path}.key`) ??
      incompatible(input.value, table.value, `${path}.value`)
    );
  return `the input has ${show(input)}, the table ${show(table)}`;
}
