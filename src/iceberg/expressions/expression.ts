import type { PrimitiveType, PrimitiveValue } from "../types.ts";

/**
 * Row filters as a small AST (Java's `Expressions`, pyiceberg's `expressions`): comparisons, set
 * membership and null/NaN tests of one column against literals, combined with NOT, AND and OR.
 * Unbound expressions name columns; `bind` (bind.ts) resolves the names to field ids of a schema
 * and converts the literals to the column's type. The constructors fold `true`/`false` away.
 */

export type UnaryOp = "isNull" | "notNull" | "isNaN" | "notNaN";
export type ComparisonOp = "eq" | "notEq" | "lt" | "ltEq" | "gt" | "gtEq";
export type SetOp = "in" | "notIn";
export type PredicateOp = UnaryOp | ComparisonOp | SetOp;

/** A literal as a caller writes it; bind converts it to the column's `PrimitiveValue`. */
export type Literal = boolean | number | bigint | string | Uint8Array | Date;

/** A column resolved against a schema (or a partition field, after projection). */
export interface BoundReference {
  readonly fieldId: number;
  /** The dotted column name, for messages. */
  readonly name: string;
  readonly type: PrimitiveType;
}

type PredicateOf<T, V> =
  | { readonly kind: "pred"; readonly op: UnaryOp; readonly term: T }
  | { readonly kind: "pred"; readonly op: ComparisonOp; readonly term: T; readonly value: V }
  | { readonly kind: "pred"; readonly op: SetOp; readonly term: T; readonly values: readonly V[] };

/** A predicate on a column named by its (dotted) name. */
export type UnboundPredicate = PredicateOf<string, Literal>;
/** A predicate on a field id whose literals have the field's type. `in` has at least two values. */
export type BoundPredicate = PredicateOf<BoundReference, PrimitiveValue>;

export type ExprOf<P> =
  | { readonly kind: "true" }
  | { readonly kind: "false" }
  | { readonly kind: "not"; readonly child: ExprOf<P> }
  | { readonly kind: "and"; readonly left: ExprOf<P>; readonly right: ExprOf<P> }
  | { readonly kind: "or"; readonly left: ExprOf<P>; readonly right: ExprOf<P> }
  | P;

export type Expression = ExprOf<UnboundPredicate>;
export type BoundExpression = ExprOf<BoundPredicate>;

type AnyPredicate = UnboundPredicate | BoundPredicate;

export const alwaysTrue = (): { readonly kind: "true" } => ({ kind: "true" });
export const alwaysFalse = (): { readonly kind: "false" } => ({ kind: "false" });

export function and<P extends AnyPredicate>(...exprs: ExprOf<P>[]): ExprOf<P> {
  let out: ExprOf<P> = alwaysTrue();
  for (const e of exprs) {
    if (isFalse(e) || isFalse(out)) return alwaysFalse();
    if (isTrue(e)) continue;
    out = isTrue(out) ? e : { kind: "and", left: out, right: e };
  }
  return out;
}

export function or<P extends AnyPredicate>(...exprs: ExprOf<P>[]): ExprOf<P> {
  let out: ExprOf<P> = alwaysFalse();
  for (const e of exprs) {
    if (isTrue(e) || isTrue(out)) return alwaysTrue();
    if (isFalse(e)) continue;
    out = isFalse(out) ? e : { kind: "or", left: out, right: e };
  }
  return out;
}

export function not<P extends AnyPredicate>(child: ExprOf<P>): ExprOf<P> {
  if (isTrue(child)) return alwaysFalse();
  if (isFalse(child)) return alwaysTrue();
  const c = child as { kind: string; child?: ExprOf<P> };
  if (c.kind === "not") return c.child as ExprOf<P>;
  return { kind: "not", child };
}

const isTrue = (e: { kind: string }): boolean => e.kind === "true";
const isFalse = (e: { kind: string }): boolean => e.kind === "false";

const unary =
  (op: UnaryOp) =>
  (column: string): UnboundPredicate => ({ kind: "pred", op, term: column });
const comparison =
  (op: ComparisonOp) =>
  (column: string, value: Literal): UnboundPredicate => ({ kind: "pred", op, term: column, value });
const set =
  (op: SetOp) =>
  (column: string, values: readonly Literal[]): UnboundPredicate => ({
    kind: "pred",
    op,
    term: column,
    values: [...values],
  });

export const isNull = unary("isNull");
export const notNull = unary("notNull");
export const isNaN = unary("isNaN");
export const notNaN = unary("notNaN");
export const eq = comparison("eq");
export const notEq = comparison("notEq");
export const lt = comparison("lt");
export const ltEq = comparison("ltEq");
export const gt = comparison("gt");
export const gtEq = comparison("gtEq");
export const isIn = set("in");
export const notIn = set("notIn");

const NEGATED: Readonly<Record<PredicateOp, PredicateOp>> = {
  isNull: "notNull",
  notNull: "isNull",
  isNaN: "notNaN",
  notNaN: "isNaN",
  eq: "notEq",
  notEq: "eq",
  lt: "gtEq",
  gtEq: "lt",
  gt: "ltEq",
  ltEq: "gt",
  in: "notIn",
  notIn: "in",
};

/** The predicate that holds exactly where `p` is false (for non-null values). */
export function negate<P extends AnyPredicate>(p: P): P {
  return { ...p, op: NEGATED[p.op] } as P;
}

/**
 * Pushes every NOT down to the predicates by De Morgan's laws and predicate negation, so that the
 * result has no NOT node. Under SQL's three-valued logic this keeps the rows that match: a null
 * column makes both `x < 5` and its negation `x >= 5` unknown. Floating-point comparisons use the
 * total order in which NaN is above every number (DuckDB, Spark and Java's `Double.compare`), so
 * `NOT (x < 5)` and `x >= 5` agree on NaN too.
 */
export function rewriteNot<P extends AnyPredicate>(e: ExprOf<P>): ExprOf<P> {
  return push(e, false);
}

function push<P extends AnyPredicate>(e: ExprOf<P>, negated: boolean): ExprOf<P> {
  switch (e.kind) {
    case "true":
      return negated ? alwaysFalse() : e;
    case "false":
      return negated ? alwaysTrue() : e;
    case "not":
      return push((e as { child: ExprOf<P> }).child, !negated);
    case "and":
    case "or": {
      const { left, right } = e as { left: ExprOf<P>; right: ExprOf<P> };
      const l = push(left, negated);
      const r = push(right, negated);
      return (e.kind === "and") !== negated ? and(l, r) : or(l, r);
    }
    default:
      return negated ? negate(e as P) : e;
  }
}

/**
 * Rebuilds a bound expression with every predicate replaced by `f(predicate)`, after pushing NOTs
 * down to the predicates (so no replacement ends up under a NOT, which would turn an inclusive
 * answer into a wrong one).
 */
export function mapPredicates(
  e: BoundExpression,
  f: (p: BoundPredicate) => BoundExpression,
): BoundExpression {
  const visit = (x: BoundExpression): BoundExpression => {
    switch (x.kind) {
      case "true":
      case "false":
        return x;
      case "and":
        return and(visit(x.left), visit(x.right));
      case "or":
        return or(visit(x.left), visit(x.right));
      case "not":
        throw new Error("mapPredicates: NOT left after rewriteNot");
      default:
        return f(x);
    }
  };
  return visit(rewriteNot(e));
}

/** A readable form for messages and debugging: `(a < 5 AND b IS NULL)`. */
export function expressionToString(e: Expression | BoundExpression): string {
  switch (e.kind) {
    case "true":
      return "true";
    case "false":
      return "false";
    case "not":
      return `NOT ${expressionToString(e.child)}`;
    case "and":
    case "or":
      return `(${expressionToString(e.left)} ${e.kind.toUpperCase()} ${expressionToString(e.right)})`;
    default: {
      const name = typeof e.term === "string" ? e.term : e.term.name;
      const show = (v: unknown): string =>
        typeof v === "string"
          ? JSON.stringify(v)
          : v instanceof Uint8Array
            ? `X'${Buffer.from(v).toString("hex")}'`
            : v instanceof Date
              ? v.toISOString()
              : String(v);
      switch (e.op) {
        case "isNull":
          return `${name} IS NULL`;
        case "notNull":
          return `${name} IS NOT NULL`;
        case "isNaN":
          return `${name} IS NAN`;
        case "notNaN":
          return `${name} IS NOT NAN`;
        case "in":
        case "notIn":
          return `${name} ${e.op === "in" ? "IN" : "NOT IN"} (${(e.values as readonly unknown[]).map(show).join(", ")})`;
        default:
          return `${name} ${SYMBOLS[e.op]} ${show(e.value)}`;
      }
    }
  }
}

const SYMBOLS: Readonly<Record<ComparisonOp, string>> = {
  eq: "=",
  notEq: "!=",
  lt: "<",
  ltEq: "<=",
  gt: ">",
  gtEq: ">=",
};
