import type { PartitionValues } from "../data-file.ts";
import type { PartitionSpec } from "../partition-spec.ts";
import { alwaysFalse, alwaysTrue, type BoundExpression, mapPredicates } from "./expression.ts";
import { matches } from "./evaluate.ts";

/**
 * What is left of a bound filter for the rows of one file, given its partition tuple (in the
 * spec's field order): a predicate on a column that the spec partitions by identity has the same
 * value in every row of the file, so it is decided by the tuple and becomes true or false (an
 * unknown outcome, on a null, selects no row, like false). Every row of the file matches the
 * residual exactly when it matches the filter. Other transforms are left to the reader (no strict
 * projection yet), so their predicates stay.
 */
export function residualFor(
  filter: BoundExpression,
  spec: PartitionSpec,
  partition: PartitionValues,
): BoundExpression {
  const identity = new Map<number, number>();
  spec.fields.forEach((f, i) => {
    if (f.transform.kind === "identity" && (f.sourceIds === undefined || f.sourceIds.length === 1))
      identity.set(f.sourceId, i);
  });
  if (identity.size === 0) return filter;
  return mapPredicates(filter, (e) => {
    const i = identity.get(e.term.fieldId);
    if (i === undefined) return e;
    return matches(e, () => partition[i]) ? alwaysTrue() : alwaysFalse();
  });
}
