import type { Schema } from "../iceberg/schema.ts";
import { isPrimitive, type NestedField } from "../iceberg/types.ts";
import { parseLocation } from "../storage/location.ts";
import { duckType, sqlString } from "./duck-types.ts";

/**
 * A `read_parquet` call that reads Iceberg data files as rows of `schema` (the table's current
 * one), with DuckDB's field-id column mapping: each top-level column is found in a file by its
 * field id, whatever name it was written under (renames), cast to the current type (promotions
 * int → long, float → double, decimal widening), and a column a file lacks (added later) reads
 * as its `initial-default`, or NULL. Fields inside structs, lists and maps are matched by name:
 * DuckDB's `schema` parameter maps only top-level columns by id (`readSql` maps them too).
 *
 * `files` are locations (`file:///…` or plain paths, `s3://…` for DuckDB's httpfs).
 */
export function scanSql(schema: Schema, files: readonly string[]): string {
  const paths = files.map((f) => {
    const loc = parseLocation(f);
    return sqlString(loc.kind === "file" ? loc.path : f);
  });
  const columns = schema.fields.map((f) => `${f.id}: ${columnDefinition(f)}`).join(", ");
  return `read_parquet([${paths.join(", ")}], schema = MAP {${columns}})`;
}

/** One entry of `read_parquet`'s `schema` MAP; `type` overrides the field's own DuckDB type. */
export function columnDefinition(f: NestedField, type = duckType(f.type)): string {
  return `{name: ${sqlString(f.name)}, type: ${sqlString(type)}, default_value: ${defaultText(f)}}`;
}

/**
 * The field's `initial-default` as text DuckDB casts to the column's type. Every column's default
 * is VARCHAR because the `schema` MAP's values must share one type.
 */
export function defaultText(f: NestedField): string {
  const d = f.initialDefault;
  if (d === undefined || d === null || !isPrimitive(f.type)) return "CAST(NULL AS VARCHAR)";
  // JSON single values (spec Appendix C) are DuckDB's text forms, but for binaries given in hex.
  if (f.type.type === "fixed" || f.type.type === "binary")
    return sqlString(String(d).replace(/[0-9a-f]{2}/gi, (h) => `\\x${h}`));
  return sqlString(typeof d === "string" ? d : JSON.stringify(d));
}
