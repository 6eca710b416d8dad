import type { PrimitiveValue } from "../types.ts";
import type { BoundExpression, BoundPredicate } from "./expression.ts";
import { compareLiterals, isNaNValue } from "./literals.ts";

/** A row (or partition tuple) by field id; `null` or `undefined` is a null value. */
export type FieldValues = (fieldId: number) => PrimitiveValue | null | undefined;

/**
 * Whether a row matches a bound filter, with SQL's three-valued logic: a comparison with a null is
 * unknown, and only `true` matches. Floating-point values compare as `compareLiterals` orders them
 * (NaN above every number and equal to itself). Used on partition tuples by scan planning, and on
 * rows as the reference that pruning is tested against.
 */
export function matches(expr: BoundExpression, row: FieldValues): boolean {
  return evaluate(expr, row) === true;
}

function evaluate(e: BoundExpression, row: FieldValues): boolean | null {
  switch (e.kind) {
    case "true":
      return true;
    case "false":
      return false;
    case "not": {
      const v = evaluate(e.child, row);
      return v === null ? null : !v;
    }
    case "and": {
      const l = evaluate(e.left, row);
      if (l === false) return false;
      const r = evaluate(e.right, row);
      return r === false ? false : l === null || r === null ? null : true;
    }
    case "or": {
      const l = evaluate(e.left, row);
      if (l === true) return true;
      const r = evaluate(e.right, row);
      return r === true ? true : l === null || r === null ? null : false;
    }
    default:
      return test(e, row(e.term.fieldId) ?? null);
  }
}

function test(p: BoundPredicate, v: PrimitiveValue | null): boolean | null {
  switch (p.op) {
    case "isNull":
      return v === null;
    case "notNull":
      return v !== null;
    case "isNaN":
      return v === null ? null : isNaNValue(v);
    case "notNaN":
      return v === null ? null : !isNaNValue(v);
  }
  if (v === null) return null;
  switch (p.op) {
    case "in":
      return p.values.some((w) => compareLiterals(v, w) === 0);
    case "notIn":
      return !p.values.some((w) => compareLiterals(v, w) === 0);
  }
  const c = compareLiterals(v, p.value);
  switch (p.op) {
    case "eq":
      return c === 0;
    case "notEq":
      return c !== 0;
    case "lt":
      return c < 0;
    case "ltEq":
      return c <= 0;
    case "gt":
      return c > 0;
    case "gtEq":
      return c >= 0;
  }
}
