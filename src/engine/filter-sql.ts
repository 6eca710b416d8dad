import type { BoundExpression, BoundPredicate } from "../iceberg/expressions/expression.ts";
import { valueToJson } from "../iceberg/json-value.ts";
import type { PrimitiveType, PrimitiveValue } from "../iceberg/types.ts";
import { duckType, quoteIdent, sqlString } from "./duck-types.ts";

/**
 * A bound row filter as a DuckDB condition over the table's columns by their current names
 * (dotted names of nested fields become struct accesses). SQL's three-valued logic is the one
 * `matches` and the strict and inclusive evaluators use: a comparison with NULL is unknown and does
 * not select the row. Floating-point comparisons follow DuckDB's order, NaN above every number,
 * as `compareLiterals` does. Literals are written in their JSON single-value form and cast to the
 * column's DuckDB type, so no value depends on the session's time zone.
 */
export function filterSql(e: BoundExpression, alias?: string): string {
  switch (e.kind) {
    case "true":
      return "true";
    case "false":
      return "false";
    case "not":
      return `(NOT ${filterSql(e.child, alias)})`;
    case "and":
      return `(${filterSql(e.left, alias)} AND ${filterSql(e.right, alias)})`;
    case "or":
      return `(${filterSql(e.left, alias)} OR ${filterSql(e.right, alias)})`;
    default:
      return predicateSql(e, alias);
  }
}

function predicateSql(p: BoundPredicate, alias: string | undefined): string {
  const column = [...(alias ? [alias] : []), ...p.term.name.split(".")].map(quoteIdent).join(".");
  const lit = (v: PrimitiveValue) => literalSql(p.term.type, v);
  switch (p.op) {
    case "isNull":
      return `(${column} IS NULL)`;
    case "notNull":
      return `(${column} IS NOT NULL)`;
    case "isNaN":
      return `isnan(${column})`;
    case "notNaN":
      return `(NOT isnan(${column}))`;
    case "in":
      return `(${column} IN (${p.values.map(lit).join(", ")}))`;
    case "notIn":
      return `(${column} NOT IN (${p.values.map(lit).join(", ")}))`;
    default:
      return `(${column} ${OPS[p.op]} ${lit(p.value)})`;
  }
}

const OPS = { eq: "=", notEq: "<>", lt: "<", ltEq: "<=", gt: ">", gtEq: ">=" } as const;

/** A value of an Iceberg primitive type as a DuckDB literal of the column's type. */
export function literalSql(type: PrimitiveType, v: PrimitiveValue): string {
  if (type.type === "binary" || type.type === "fixed")
    return `from_hex(${sqlString(Buffer.from(v as Uint8Array).toString("hex"))})`;
  if (typeof v === "number" && Object.is(v, -0)) return `CAST('-0.0' AS ${duckType(type)})`;
  const json = valueToJson(type, v);
  return `CAST(${sqlString(String(json))} AS ${duckType(type)})`;
}
