import { quoteIdent } from "../duck-types.ts";
import { bind } from "../../iceberg/expressions/bind.ts";
import {
  alwaysFalse,
  alwaysTrue,
  and,
  type Expression,
  gtEq,
  isIn,
  type Literal,
  ltEq,
} from "../../iceberg/expressions/expression.ts";
import type { Schema } from "../../iceberg/schema.ts";
import { isPrimitive, type PrimitiveType } from "../../iceberg/types.ts";
import { conditionExpression, conjuncts, INTEGER_TYPES } from "./scan-filters.ts";
import type { SessionContext } from "./session-context.ts";
import { parseTree } from "./table-views.ts";
import type { Node } from "./where.ts";

/** Up to how many distinct source values become an IN list (beyond: their range). */
const MAX_IN_VALUES = 1000;

export interface MergeOn {
  /** The ON condition, as DuckDB SQL. */
  readonly on: string;
  /** The names the target and the source go by in it. */
  readonly target: string;
  readonly source: string;
  /** The source rows' query. */
  readonly sourceSql: string;
  /** The target's schema. */
  readonly schema: Schema;
}

/**
 * The target files a MERGE must read: only those that can hold a row its ON condition matches with
 * some source row (rows of other files are left as they are, whatever the clauses say). From the
 * conjuncts of ON that name only target columns (`t.region = 'eu'`, as for a query's WHERE:
 * `conditionExpression`), and from each equality of a target column with a source column
 * (`t.id = s.id`): the source's distinct values of that column, as `id IN (…)` when there are at
 * most 1000, else `id BETWEEN min AND max` (no source value: no file). Such equalities are used for
 * int, long, decimal, string and date columns compared with source values of the same kind.
 */
export async function mergeFilter(s: SessionContext, m: MergeOn): Promise<Expression> {
  const tree = (await parseTree(s.duck, `SELECT 1 WHERE ${m.on}`)) as
    { statements?: { node?: { where_clause?: Node } }[] } | undefined;
  const where = tree?.statements?.[0]?.node?.where_clause;
  if (!where) return alwaysTrue();
  const target = m.target.toLowerCase();
  const source = m.source.toLowerCase();
  const parts: Expression[] = [];
  for (const part of conjuncts(where)) {
    const refs = columnRefs(part);
    if (refs.length === 0) continue;
    if (refs.every((r) => r.length === 2 && r[0] === target)) {
      const e = conditionExpression(part, m.schema);
      if (e) parts.push(e);
      continue;
    }
    if (part.type !== "COMPARE_EQUAL" || refs.length !== 2) continue;
    const [a = [], b = []] = refs;
    const column =
      a[0] === target && b[0] === source ? a[1] : b[0] === target && a[0] === source ? b[1] : undefined;
    if (column === undefined || a.length !== 2 || b.length !== 2) continue;
    const e = await sourceValues(s, m, column, part);
    if (e) parts.push(e);
  }
  return parts.length === 0 ? alwaysTrue() : and(...parts);
}

/** The column references of a condition (lower case); none when it holds a subquery. */
function columnRefs(n: Node): string[][] {
  const out: string[][] = [];
  let subquery = false;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === "object") {
      const x = node as Node;
      if (x.class === "SUBQUERY") subquery = true;
      else if (x.class === "COLUMN_REF")
        out.push(((x.column_names as string[] | undefined) ?? []).map((c) => c.toLowerCase()));
      else Object.values(x).forEach(visit);
    }
  };
  visit(n);
  return subquery ? [] : out;
}

/** `column IN (the source's values)` or their range, for `t.column = s.x`. */
async function sourceValues(
  s: SessionContext,
  m: MergeOn,
  column: string,
  equality: Node,
): Promise<Expression | undefined> {
  const field = m.schema.fields.find((f) => f.name.toLowerCase() === column);
  if (!field || !isPrimitive(field.type)) return undefined;
  const left = equality.left as Node;
  const right = equality.right as Node;
  const sourceRef = [left, right].find(
    (r) => ((r.column_names as string[] | undefined)?.[0] ?? "").toLowerCase() === m.source.toLowerCase(),
  );
  const names = sourceRef?.column_names as string[] | undefined;
  if (!names || names.length !== 2) return undefined;
  const x = `${quoteIdent(names[0]!)}.${quoteIdent(names[1]!)}`;
  const values = `SELECT ${x} AS v FROM (${m.sourceSql}) AS ${quoteIdent(names[0]!)} WHERE ${x} IS NOT NULL`;
  const stats = await s.duck.runAndReadAll(
    `SELECT count(DISTINCT v)::BIGINT, CAST(min(v) AS VARCHAR), CAST(max(v) AS VARCHAR), any_value(typeof(v)) FROM (${values})`,
  );
  const [count, min, max, type] = (stats.getRows()[0] ?? []) as [bigint, string, string, string | null];
  if (BigInt(count) === 0n) return alwaysFalse();
  const literal = literalOf(field.type, String(type));
  if (!literal) return undefined;
  let e: Expression;
  if (BigInt(count) <= BigInt(MAX_IN_VALUES)) {
    const r = await s.duck.runAndReadAll(`SELECT DISTINCT CAST(v AS VARCHAR) FROM (${values})`);
    e = isIn(
      field.name,
      r.getRows().map((row) => literal(String(row[0]))),
    );
  } else e = and(gtEq(field.name, literal(min)), ltEq(field.name, literal(max)));
  try {
    bind(e, m.schema);
    return e;
  } catch {
    return undefined; // a value the column cannot hold as the same literal: no pruning by it
  }
}

/** How a source value (as DuckDB prints it) becomes a literal for the column, when the kinds match. */
function literalOf(type: PrimitiveType, duckType: string): ((v: string) => Literal) | undefined {
  switch (type.type) {
    case "int":
    case "long":
      return INTEGER_TYPES.has(duckType) ? (v) => BigInt(v) : undefined;
    case "decimal":
      return INTEGER_TYPES.has(duckType) || duckType.startsWith("DECIMAL") ? (v) => v : undefined;
    case "string":
      return duckType === "VARCHAR" ? (v) => v : undefined;
    case "date":
      return duckType === "DATE" ? (v) => v : undefined;
    default:
      return undefined;
  }
}
