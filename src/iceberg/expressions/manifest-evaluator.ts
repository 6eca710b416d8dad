import type { FieldSummary } from "../manifest-list.ts";
import type { PartitionSpec } from "../partition-spec.ts";
import type { PrimitiveValue } from "../types.ts";
import type { BoundExpression, BoundPredicate } from "./expression.ts";
import { compareLiterals, decodeBound, isFloating } from "./literals.ts";

/**
 * Whether a manifest might hold a file whose partition matches `projected` (a filter already
 * projected through `spec` by `projectInclusive`), judged from its manifest list entry's partition
 * field summaries (Java's `ManifestEvaluator`). False only when no partition tuple summarized can
 * match; missing or unreadable summaries and bounds never prune.
 */
export function manifestMightMatch(
  projected: BoundExpression,
  spec: PartitionSpec,
  partitions: readonly FieldSummary[] | undefined,
): boolean {
  if (partitions === undefined || partitions.length !== spec.fields.length) return !isFalse(projected);
  const position = new Map(spec.fields.map((f, i) => [f.fieldId, i]));
  const visit = (e: BoundExpression): boolean => {
    switch (e.kind) {
      case "true":
        return true;
      case "false":
        return false;
      case "not":
        return true; // not inclusive to evaluate; projectInclusive leaves none
      case "and":
        return visit(e.left) && visit(e.right);
      case "or":
        return visit(e.left) || visit(e.right);
      default: {
        const i = position.get(e.term.fieldId);
        const summary = i === undefined ? undefined : partitions[i];
        return summary === undefined ? true : summaryMightMatch(e, summary);
      }
    }
  };
  return visit(projected);
}

const isFalse = (e: BoundExpression): boolean => e.kind === "false";

function summaryMightMatch(p: BoundPredicate, s: FieldSummary): boolean {
  const type = p.term.type;
  const floating = isFloating(type);
  // NaN is possible unless the summary says otherwise (only floating-point fields have it).
  const mayHaveNaN = floating && s.containsNan !== false;
  const lower = decodeBound(type, s.lowerBound);
  const upper = decodeBound(type, s.upperBound);
  // The bounds cover the non-null, non-NaN values, so no bounds with nulls and no NaN: all null.
  const allNull = s.containsNull && s.lowerBound === undefined && s.upperBound === undefined && !mayHaveNaN;
  const noneButNaN = !s.containsNull && s.lowerBound === undefined && s.upperBound === undefined;
  switch (p.op) {
    case "isNull":
      return s.containsNull;
    case "notNull":
      return !allNull;
    case "isNaN":
      return mayHaveNaN;
    case "notNaN":
      return !(floating && s.containsNan === true && noneButNaN);
    case "notEq":
    case "notIn":
      return true;
  }
  if (allNull) return false;
  // NaN sorts above every number, so only a NaN-free field can be pruned by `>` and `>=`.
  const greaterMayMatch = mayHaveNaN;
  const cmp = (a: PrimitiveValue, b: PrimitiveValue): number => compareLiterals(a, b);
  switch (p.op) {
    case "lt":
      return lower === undefined || cmp(lower, p.value) < 0;
    case "ltEq":
      return lower === undefined || cmp(lower, p.value) <= 0;
    case "gt":
      return greaterMayMatch || upper === undefined || cmp(upper, p.value) > 0;
    case "gtEq":
      return greaterMayMatch || upper === undefined || cmp(upper, p.value) >= 0;
    case "eq":
      return (
        (lower === undefined || cmp(lower, p.value) <= 0) && (upper === undefined || cmp(upper, p.value) >= 0)
      );
    case "in":
      return p.values.some(
        (v) => (lower === undefined || cmp(lower, v) <= 0) && (upper === undefined || cmp(upper, v) >= 0),
      );
  }
}
