import type { DataFile } from "../data-file.ts";
import type { PrimitiveValue } from "../types.ts";
import type { BoundExpression, BoundPredicate } from "./expression.ts";
import { compareLiterals, decodeBound, isFloating } from "./literals.ts";

/**
 * Whether a data file might hold a row matching a bound row filter, judged from its column metrics
 * (Java's `InclusiveMetricsEvaluator`): value, null and NaN counts and lower/upper bounds by field
 * id. It answers false only when the metrics prove that no row matches; a missing or unreadable
 * metric never prunes. Bounds may be truncated (a string's lower bound a prefix of the minimum, its
 * upper bound above the maximum): they still bound the values, which is all this relies on.
 * Bounds exclude NaN, which sorts above every number, so `>` and `>=` keep any file that may hold
 * a NaN. A lower bound above the upper bound (as some writers produced for UUIDs) is distrusted.
 */
export function fileMightMatch(expr: BoundExpression, file: DataFile): boolean {
  if (file.recordCount === 0n) return false;
  const visit = (e: BoundExpression): boolean => {
    switch (e.kind) {
      case "true":
        return true;
      case "false":
        return false;
      case "not":
        return true; // bind rewrites NOT away; evaluating under one would not be inclusive
      case "and":
        return visit(e.left) && visit(e.right);
      case "or":
        return visit(e.left) || visit(e.right);
      default:
        return predicateMightMatch(e, file);
    }
  };
  return visit(expr);
}

function predicateMightMatch(p: BoundPredicate, file: DataFile): boolean {
  const id = p.term.fieldId;
  const type = p.term.type;
  const floating = isFloating(type);
  const valueCount = file.valueCounts?.get(id);
  const nullCount = file.nullValueCounts?.get(id);
  const nanCount = floating ? file.nanValueCounts?.get(id) : 0n;
  const onlyNulls = valueCount !== undefined && nullCount !== undefined && nullCount === valueCount;
  const onlyNaNs = valueCount !== undefined && nanCount !== undefined && nanCount === valueCount;
  const mayHaveNaN = floating && (nanCount === undefined || nanCount > 0n);
  switch (p.op) {
    case "isNull":
      return nullCount === undefined || nullCount > 0n;
    case "notNull":
      return !onlyNulls;
    case "isNaN":
      return floating && (nanCount === undefined || nanCount > 0n) && !onlyNulls;
    case "notNaN":
      return !onlyNaNs;
    case "notEq":
    case "notIn":
      return true;
  }
  if (onlyNulls) return false;
  // Rows that are NaN match `>` and `>=` only; the bounds say nothing about them.
  if (onlyNaNs) return p.op === "gt" || p.op === "gtEq";
  let lower = decodeBound(type, file.lowerBounds?.get(id));
  let upper = decodeBound(type, file.upperBounds?.get(id));
  if (lower !== undefined && upper !== undefined && compareLiterals(lower, upper) > 0) {
    lower = undefined;
    upper = undefined;
  }
  const aboveLower = (v: PrimitiveValue, strict: boolean): boolean => {
    if (lower === undefined) return true;
    const c = compareLiterals(lower, v);
    return strict ? c < 0 : c <= 0;
  };
  const belowUpper = (v: PrimitiveValue, strict: boolean): boolean => {
    if (upper === undefined) return true;
    const c = compareLiterals(upper, v);
    return strict ? c > 0 : c >= 0;
  };
  switch (p.op) {
    case "lt":
      return aboveLower(p.value, true);
    case "ltEq":
      return aboveLower(p.value, false);
    case "gt":
      return mayHaveNaN || belowUpper(p.value, true);
    case "gtEq":
      return mayHaveNaN || belowUpper(p.value, false);
    case "eq":
      return aboveLower(p.value, false) && belowUpper(p.value, false);
    case "in":
      return p.values.some((v) => aboveLower(v, false) && belowUpper(v, false));
  }
}
