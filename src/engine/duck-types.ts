import { badRequest } from "../core/errors.ts";
import type { Schema } from "../iceberg/schema.ts";
import {
  type IcebergType,
  type NestedField,
  type PrimitiveType,
  primitiveToString,
} from "../iceberg/types.ts";

/**
 * Iceberg types as DuckDB types, and the SQL fragments (identifiers, literals, `FIELD_IDS`) that
 * writing and reading Parquet with Iceberg field ids needs.
 */

/** `"a ""b"""`: a DuckDB identifier, quoted whatever it holds. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `'it''s'`: a DuckDB string literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The DuckDB type a column of Iceberg type `t` is written as. `timestamptz` is DuckDB's
 * `TIMESTAMPTZ` (an instant, stored as UTC micros and marked adjusted-to-UTC in Parquet),
 * `timestamp` its zone-less `TIMESTAMP`; `fixed[L]` has no DuckDB equivalent and is written as
 * `BLOB` (a Parquet BYTE_ARRAY, not a FIXED_LEN_BYTE_ARRAY). Types DuckDB cannot write as Iceberg
 * expects (nanosecond instants, `unknown`, `variant`, geometry) are a BAD_REQUEST.
 */
export function duckType(t: IcebergType): string {
  switch (t.type) {
    case "struct":
      return `STRUCT(${t.fields.map((f) => `${quoteIdent(f.name)} ${duckType(f.type)}`).join(", ")})`;
    case "list":
      return `${duckType(t.element)}[]`;
    case "map":
      return `MAP(${duckType(t.key)}, ${duckType(t.value)})`;
    default:
      return duckPrimitive(t);
  }
}

function duckPrimitive(t: PrimitiveType): string {
  switch (t.type) {
    case "boolean":
      return "BOOLEAN";
    case "int":
      return "INTEGER";
    case "long":
      return "BIGINT";
    case "float":
      return "FLOAT";
    case "double":
      return "DOUBLE";
    case "decimal":
      return `DECIMAL(${t.precision}, ${t.scale})`;
    case "date":
      return "DATE";
    case "time":
      return "TIME";
    case "timestamp":
      return "TIMESTAMP";
    case "timestamptz":
      return "TIMESTAMPTZ";
    case "timestamp_ns":
      return "TIMESTAMP_NS";
    case "string":
      return "VARCHAR";
    case "uuid":
      return "UUID";
    case "fixed":
    case "binary":
      return "BLOB";
    default:
      throw badRequest(`Cannot write Iceberg type ${primitiveToString(t)} with DuckDB`);
  }
}

/**
 * The `FIELD_IDS` option of `COPY … TO (FORMAT parquet)` for a schema: `{id: 1, s: {__duckdb_field_id:
 * 2, a: 3}, l: {__duckdb_field_id: 4, element: 5}, m: {__duckdb_field_id: 6, key: 7, value: 8}}`.
 */
export function fieldIdsOption(schema: Schema): string {
  return `{${schema.fields.map(fieldIdEntry).join(", ")}}`;
}

function fieldIdEntry(f: NestedField): string {
  return `${quoteIdent(f.name)}: ${typeIds(f.id, f.type)}`;
}

function typeIds(id: number, t: IcebergType): string {
  const own = `__duckdb_field_id: ${id}`;
  switch (t.type) {
    case "struct":
      return `{${[own, ...t.fields.map(fieldIdEntry)].join(", ")}}`;
    case "list":
      return `{${own}, element: ${typeIds(t.elementId, t.element)}}`;
    case "map":
      return `{${own}, key: ${typeIds(t.keyId, t.key)}, value: ${typeIds(t.valueId, t.value)}}`;
    default:
      return String(id);
  }
}
