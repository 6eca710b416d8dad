import type { DuckDBConnection } from "@duckdb/node-api";
import { badRequest } from "../../core/errors.ts";
import { parseJson } from "../../core/json.ts";
import { sqlString } from "../duck-types.ts";
import {
  alwaysTrue,
  and,
  eq,
  type Expression,
  gt,
  gtEq,
  isIn,
  isNull,
  type Literal,
  lt,
  ltEq,
  not,
  notEq,
  notIn,
  notNull,
  or,
} from "../../iceberg/expressions/expression.ts";

export type Node = Record<string, unknown>;

const COMPARE: Record<
  string,
  [(c: string, v: Literal) => Expression, (c: string, v: Literal) => Expression]
> = {
  // [column op literal, literal op column]
  COMPARE_EQUAL: [eq, eq],
  COMPARE_NOTEQUAL: [notEq, notEq],
  COMPARE_LESSTHAN: [lt, gt],
  COMPARE_LESSTHANOREQUALTO: [ltEq, gtEq],
  COMPARE_GREATERTHAN: [gt, lt],
  COMPARE_GREATERTHANOREQUALTO: [gtEq, ltEq],
};

/**
 * The condition of a `WHERE` as an Iceberg expression, from DuckDB's parse tree
 * (`json_serialize_sql`). Supported: a column compared with a literal (`=`, `<>`, `<`, `<=`, `>`,
 * `>=`), `IN` / `NOT IN` a list of literals, `IS [NOT] NULL`, `NOT`, `AND`, `OR`, `TRUE`. Anything
 * else is refused with a one-line error naming the part.
 */
export async function whereExpression(duck: DuckDBConnection, where: string): Promise<Expression> {
  return toExpression(await whereNode(duck, where), { text: where, column: singleColumn });
}

/** A `WHERE` condition's node in DuckDB's parse tree; a syntax error or anything but one condition is a BAD_REQUEST. */
export async function whereNode(duck: DuckDBConnection, where: string): Promise<Node> {
  const text = `SELECT 1 WHERE ${where}`;
  const reader = await duck.runAndReadAll(`SELECT json_serialize_sql(${sqlString(text)})`);
  const tree = parseJson(String(reader.getRows()[0]?.[0])) as Node;
  if (tree.error === true && tree.error_type === "parser")
    throw badRequest(`Syntax error in WHERE: ${String(tree.error_message ?? "cannot parse").split("\n")[0]}`);
  const statements = tree.statements as { node: Node }[] | undefined;
  const node = statements?.[0]?.node;
  if (
    statements?.length !== 1 ||
    !node ||
    node.where_clause == null ||
    (node.modifiers as unknown[] | undefined)?.length
  )
    throw badRequest("Unsupported WHERE: expected one condition (no LIMIT, ORDER BY or further statements)");
  return node.where_clause as Node;
}

/**
 * A DELETE's condition (`whereNode`) as an Iceberg expression, or undefined for a condition that
 * is valid but has none (functions, arithmetic, two columns compared, subqueries): the caller then
 * evaluates the SQL itself. `= NULL` is still an error.
 */
export function exactExpression(condition: Node, where: string): Expression | undefined {
  try {
    return toExpression(condition, { text: where, column: singleColumn });
  } catch (e) {
    if (isUnconvertible(e)) return undefined;
    throw e;
  }
}

/** The errors `unsupported` made: a condition without an Iceberg expression. */
const unconvertible = new WeakSet<Error>();

/** Whether `toExpression` failed because the condition has no Iceberg expression (not a user error). */
export const isUnconvertible = (e: unknown): boolean => e instanceof Error && unconvertible.has(e);

/** How a condition's column references and literals are read (`toExpression`). */
export interface ConditionContext {
  /** The condition's text, for error positions. */
  readonly text: string;
  /** The Iceberg column a COLUMN_REF stands for; throws `unsupportedPart` when it has none. */
  readonly column: (n: Node, cx: ConditionContext) => string;
  /** Whether a literal may be compared with a column (e.g. its DuckDB type fits the column's); default yes. */
  readonly accepts?: (column: string, literal: Node) => boolean;
  /** The literal as Iceberg's conversion reads it (e.g. DuckDB's `2024-06-01 10:00` timestamp spelling). */
  readonly adapt?: (column: string, value: Literal) => Literal;
}

/**
 * A condition of DuckDB's parse tree as an Iceberg expression: comparisons of a column with
 * literals, BETWEEN, IN / NOT IN lists, IS [NOT] NULL, NOT, AND, OR, TRUE. Anything else throws
 * an error that `isUnconvertible` recognises.
 */
export function toExpression(n: Node, cx: ConditionContext): Expression {
  const children = (n.children ?? []) as Node[];
  const text = cx.text;
  const compared = (col: Node, lit: Node): [string, Literal] => {
    const c = cx.column(col, cx);
    if (cx.accepts && !cx.accepts(c, lit)) throw unsupported(lit, text, "a literal of the column's type");
    const v = literal(lit, text);
    return [c, cx.adapt ? cx.adapt(c, v) : v];
  };
  switch (n.type) {
    case "CONJUNCTION_AND":
      return and(...children.map((c) => toExpression(c, cx)));
    case "CONJUNCTION_OR":
      return or(...children.map((c) => toExpression(c, cx)));
    case "OPERATOR_NOT":
      return not(toExpression(one(children, n, text), cx));
    case "OPERATOR_IS_NULL":
      return isNull(cx.column(one(children, n, text), cx));
    case "OPERATOR_IS_NOT_NULL":
      return notNull(cx.column(one(children, n, text), cx));
    case "COMPARE_IN":
    case "COMPARE_NOT_IN": {
      const [target, ...values] = children;
      if (!target || values.length === 0) throw unsupported(n, text);
      const lits = values.map((v) => compared(target, v)[1]);
      return (n.type === "COMPARE_IN" ? isIn : notIn)(cx.column(target, cx), lits);
    }
    case "COMPARE_BETWEEN": {
      const [c, lo] = compared(n.input as Node, n.lower as Node);
      const [, hi] = compared(n.input as Node, n.upper as Node);
      return and(gtEq(c, lo), ltEq(c, hi));
    }
    case "VALUE_CONSTANT": {
      const v = literal(n, text);
      if (v === true) return alwaysTrue();
      throw unsupported(n, text);
    }
    default: {
      const ops = typeof n.type === "string" ? COMPARE[n.type] : undefined;
      if (!ops) throw unsupported(n, text);
      const left = n.left as Node;
      const right = n.right as Node;
      if (left.class === "COLUMN_REF") return ops[0](...compared(left, right));
      if (right.class === "COLUMN_REF") return ops[1](...compared(right, left));
      throw unsupported(left.class === "CONSTANT" ? right : left, text, "a column");
    }
  }
}

function one(children: Node[], n: Node, text: string): Node {
  const [c] = children;
  if (!c || children.length !== 1) throw unsupported(n, text);
  return c;
}

/** A DELETE's column: a one-part name, as the user spelled it. */
function singleColumn(n: Node, cx: ConditionContext): string {
  const names = n.column_names as string[] | undefined;
  if (n.class !== "COLUMN_REF" || !names || names.length !== 1 || names[0] === undefined)
    throw unsupported(n, cx.text, "a column name");
  return names[0];
}

function literal(n: Node, text: string): Literal {
  if (n.class === "CAST") {
    // `DATE '…'`, `TIMESTAMP '…'`, `true`: a string cast to a type; the table's type converts it.
    const child = n.child as Node;
    const to = (n.cast_type as { id?: string } | undefined)?.id;
    const v = child.class === "CONSTANT" ? literal(child, text) : undefined;
    if (typeof v !== "string") throw unsupported(n, text, "a literal");
    if (to === "BOOLEAN") {
      if (/^(t|true)$/i.test(v)) return true;
      if (/^(f|false)$/i.test(v)) return false;
    }
    return v;
  }
  if (n.class !== "CONSTANT") throw unsupported(n, text, "a literal");
  const value = n.value as {
    type: { id: string; type_info?: { scale?: number } };
    is_null: boolean;
    value: unknown;
  };
  if (value.is_null) throw badRequest(`Unsupported WHERE: comparison with NULL (use IS NULL)${at(n, text)}`);
  const v = value.value;
  if (value.type.id === "DECIMAL") {
    const scale = value.type.type_info?.scale ?? 0;
    const digits = BigInt(v as number | bigint);
    const neg = digits < 0n;
    const s = (neg ? -digits : digits).toString().padStart(scale + 1, "0");
    return `${neg ? "-" : ""}${scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`}`;
  }
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (typeof v === "bigint" || typeof v === "string" || typeof v === "boolean") return v;
  throw unsupported(n, text, "a literal");
}

function at(n: Node, text: string): string {
  const pos = typeof n.query_location === "number" ? n.query_location - "SELECT 1 WHERE ".length : -1;
  return pos >= 0 && pos < text.length ? ` at "${text.slice(pos, pos + 30)}"` : "";
}

export function unsupported(n: Node, text: string, expected?: string): Error {
  const what =
    n.class === "FUNCTION"
      ? `function ${String(n.function_name)}`
      : String(n.type ?? n.class ?? "expression")
          .toLowerCase()
          .replace(/_/g, " ");
  const e = badRequest(
    `Unsupported WHERE in DELETE: ${what}${at(n, text)}${expected ? ` where ${expected} was expected` : ""} ` +
      "(supported: column compared with a literal, IN, IS [NOT] NULL, NOT, AND, OR)",
  );
  unconvertible.add(e);
  return e;
}
