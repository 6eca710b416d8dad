import type { DataFile, PartitionValues } from "../data-file.ts";
import type { PartitionSpec } from "../partition-spec.ts";
import type { PrimitiveValue } from "../types.ts";
import type { BoundExpression, BoundPredicate } from "./expression.ts";
import { compareLiterals, decodeBound, isFloating } from "./literals.ts";
import { fileMightMatch } from "./metrics-evaluator.ts";
import { residualFor } from "./residual.ts";

/**
 * Whether every row of a data file matches a bound row filter, judged from its column metrics
 * (Java's `StrictMetricsEvaluator`): true only when the metrics prove it. A comparison needs the
 * column's null count to be 0 (a null matches no comparison, under SQL's three-valued logic, as
 * `matches` and DuckDB evaluate rows) and, for float and double, its NaN count 0; then `<` and `<=`
 * are decided by the upper bound, `>` and `>=` by the lower bound, `=` and `IN` by equal bounds,
 * `!=` and `NOT IN` by values outside the bounds. Truncated bounds still decide correctly: a
 * lower bound is at most the minimum, an upper bound at least the maximum. A file without rows
 * matches everything.
 */
export function fileAllMatch(expr: BoundExpression, file: DataFile): boolean {
  if (file.recordCount === 0n) return true;
  const visit = (e: BoundExpression): boolean => {
    switch (e.kind) {
      case "true":
        return true;
      case "false":
        return false;
      case "not":
        return false; // bind rewrites NOT away; under one this would not be strict
      case "and":
        return visit(e.left) && visit(e.right);
      case "or":
        return visit(e.left) || visit(e.right);
      default:
        return predicateAllMatch(e, file);
    }
  };
  return visit(expr);
}

function predicateAllMatch(p: BoundPredicate, file: DataFile): boolean {
  const id = p.term.fieldId;
  const type = p.term.type;
  const floating = isFloating(type);
  const valueCount = file.valueCounts?.get(id);
  const nullCount = file.nullValueCounts?.get(id);
  const nanCount = floating ? file.nanValueCounts?.get(id) : 0n;
  const noNulls = nullCount === 0n;
  const noNaNs = nanCount === 0n;
  switch (p.op) {
    case "isNull":
      return valueCount !== undefined && nullCount === valueCount;
    case "notNull":
      return noNulls;
    case "isNaN":
      return floating && valueCount !== undefined && nanCount === valueCount;
    case "notNaN":
      return noNulls && noNaNs;
  }
  if (!noNulls || !noNaNs) return false;
  const lower = decodeBound(type, file.lowerBounds?.get(id));
  const upper = decodeBound(type, file.upperBounds?.get(id));
  if (lower !== undefined && upper !== undefined && compareLiterals(lower, upper) > 0) return false;
  const cmp = (a: PrimitiveValue | undefined, b: PrimitiveValue): number | undefined =>
    a === undefined ? undefined : compareLiterals(a, b);
  const single = (): PrimitiveValue | undefined =>
    lower !== undefined && upper !== undefined && compareLiterals(lower, upper) === 0 ? lower : undefined;
  const outside = (v: PrimitiveValue): boolean => (cmp(lower, v) ?? 0) > 0 || (cmp(upper, v) ?? 0) < 0;
  switch (p.op) {
    case "lt":
      return (cmp(upper, p.value) ?? 0) < 0;
    case "ltEq":
      return (cmp(upper, p.value) ?? 1) <= 0;
    case "gt":
      return (cmp(lower, p.value) ?? 0) > 0;
    case "gtEq":
      return (cmp(lower, p.value) ?? -1) >= 0;
    case "eq": {
      const v = single();
      return v !== undefined && compareLiterals(v, p.value) === 0;
    }
    case "in": {
      const v = single();
      return v !== undefined && p.values.some((w) => compareLiterals(v, w) === 0);
    }
    case "notEq":
      return outside(p.value);
    case "notIn":
      return p.values.every(outside);
  }
}

/** How many rows of a data file a filter matches, as far as partition and metrics tell. */
export type FileMatch = "all" | "none" | "some";

/**
 * Classifies a data file against a bound row filter: its identity partition values decide the
 * predicates on those columns (`residualFor`), then the metrics decide the rest — `all` when every
 * row matches (strict), `none` when no row can (inclusive), else `some` (the rows must be read).
 * `partition` is in the spec's field order.
 */
export function classifyFile(
  filter: BoundExpression,
  spec: PartitionSpec,
  partition: PartitionValues,
  file: DataFile,
): FileMatch {
  const residual = residualFor(filter, spec, partition);
  if (residual.kind === "false" || !fileMightMatch(residual, file)) return "none";
  if (residual.kind === "true" || fileAllMatch(residual, file)) return "all";
  return "some";
}
