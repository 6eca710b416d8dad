import { decimalToString } from "../../iceberg/decimal.ts";
import type { PrimitiveType, PrimitiveValue } from "../../iceberg/types.ts";
import { duckType, sqlString } from "../duck-types.ts";

/** Typed SQL literals for the rows floe computes itself (metadata tables, EXPLAIN, procedures). */
export const str = (v: string | undefined): string => (v === undefined ? "NULL::VARCHAR" : sqlString(v));
export const big = (v: bigint | number | undefined): string =>
  v === undefined ? "NULL::BIGINT" : `${v}::BIGINT`;
export const int = (v: number | undefined): string => (v === undefined ? "NULL::INTEGER" : `${v}::INTEGER`);
export const bool = (v: boolean | undefined): string =>
  v === undefined ? "NULL::BOOLEAN" : v ? "true" : "false";
export const tsMs = (ms: number): string => `make_timestamptz(${ms}::BIGINT * 1000)`;
export const blob = (b: Uint8Array): string => `from_hex('${Buffer.from(b).toString("hex")}')`;

/** `MAP {k: v, …}` of a metric map keyed by field id, or a typed NULL. */
export function mapSql<V>(
  m: ReadonlyMap<number, V> | undefined,
  value: (v: V) => string,
  valueType: string,
): string {
  const type = `MAP(INTEGER, ${valueType})`;
  if (m === undefined) return `NULL::${type}`;
  return `CAST(MAP {${[...m].map(([k, v]) => `${k}: ${value(v)}`).join(", ")}} AS ${type})`;
}

/** A literal of an Iceberg primitive value (as `PrimitiveValue` holds it), typed as DuckDB writes it. */
export function valueSql(t: PrimitiveType, v: PrimitiveValue | null): string {
  if (t.type === "unknown") return "NULL";
  const type = duckType(t);
  if (v === null) return `NULL::${type}`;
  switch (t.type) {
    case "boolean":
      return v ? "true" : "false";
    case "float":
    case "double":
      return Number.isFinite(v) ? `${String(v)}::${type}` : `'${String(v)}'::${type}`;
    case "decimal":
      return `${decimalToString(BigInt(v as bigint), t.scale)}::${type}`;
    case "date":
      return `(DATE '1970-01-01' + ${Number(v)}::INTEGER)`;
    case "time":
      return `(TIME '00:00:00' + to_microseconds(${v}::BIGINT))`;
    case "timestamp":
      return `make_timestamp(${v}::BIGINT)`;
    case "timestamptz":
      return `make_timestamptz(${v}::BIGINT)`;
    case "timestamp_ns":
      return `make_timestamp(${BigInt(v as bigint) / 1000n}::BIGINT)::TIMESTAMP_NS`;
    case "string":
    case "uuid":
      return `${sqlString(String(v))}::${type}`;
    case "fixed":
    case "binary":
      return blob(v as Uint8Array);
    default:
      return `${String(v)}::${type}`;
  }
}

/**
 * A query of literal rows with these columns and DuckDB types (each cell an SQL expression of its
 * column's type); no rows still has the columns.
 */
export function valuesSql(
  columns: readonly { name: string; type: string }[],
  rows: readonly string[][],
): string {
  const names = columns.map((c) => `"${c.name}"`);
  if (rows.length === 0)
    return `SELECT ${columns.map((c, i) => `NULL::${c.type} AS ${names[i]}`).join(", ")} WHERE false`;
  const casts = columns.map((c, i) => `CAST(${names[i]} AS ${c.type}) AS ${names[i]}`).join(", ");
  return `SELECT ${casts} FROM (VALUES ${rows.map((r) => `(${r.join(", ")})`).join(", ")}) AS m(${names.join(", ")})`;
}
