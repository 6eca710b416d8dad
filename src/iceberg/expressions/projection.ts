import type { PartitionField, PartitionSpec } from "../partition-spec.ts";
import { applyTransform } from "../transform-values.ts";
import { resultType } from "../transforms.ts";
import type { PrimitiveType, PrimitiveValue } from "../types.ts";
import {
  alwaysTrue,
  and,
  type BoundExpression,
  type BoundPredicate,
  type BoundReference,
  mapPredicates,
} from "./expression.ts";
import { compareLiterals } from "./literals.ts";

/**
 * The inclusive projection of a bound row filter through a partition spec (spec "Scan Planning"):
 * a filter on partition values that holds for the partition of every row the row filter matches,
 * so a file whose partition fails it has no matching row. References in the result are partition
 * fields (field id, name and the transform's result type). A predicate on a column with several
 * partition fields becomes the AND of their projections; a predicate no field can project (an
 * unpartitioned column, `bucket` under `<`, `!=` through any transform but identity) becomes true.
 */
export function projectInclusive(expr: BoundExpression, spec: PartitionSpec): BoundExpression {
  return mapPredicates(expr, (e) => {
    const fields = spec.fields.filter(
      (f) => f.sourceId === e.term.fieldId && (f.sourceIds === undefined || f.sourceIds.length === 1),
    );
    return and(...fields.map((f) => projectPredicate(e, f) ?? alwaysTrue()));
  });
}

const TEMPORAL = new Set(["year", "month", "day", "hour"]);

/** One predicate through one partition field's transform; undefined when it cannot be projected. */
function projectPredicate(p: BoundPredicate, field: PartitionField): BoundExpression | undefined {
  const projected = projectThrough(p, field);
  return projected && TEMPORAL.has(field.transform.kind) ? widenForOldWriters(projected) : projected;
}

/**
 * Java writers before Iceberg 0.13 rounded pre-1970 times toward zero, so their year, month, day
 * and hour values below 0 can be one too large. As Java's `fixInclusiveTimeProjection` does, upper
 * bounds and equalities on negative values also admit the value above (`<=` and `>=` need nothing:
 * a too-large value still satisfies a lower bound).
 */
function widenForOldWriters(e: BoundExpression): BoundExpression {
  if (e.kind !== "pred") return e;
  const negative = (v: PrimitiveValue) => typeof v === "number" && v < 0;
  switch (e.op) {
    case "ltEq":
      return negative(e.value) ? { ...e, value: (e.value as number) + 1 } : e;
    case "eq":
      return negative(e.value)
        ? { kind: "pred", op: "in", term: e.term, values: [e.value, (e.value as number) + 1] }
        : e;
    case "in": {
      const values = [...e.values];
      for (const v of e.values)
        if (negative(v) && !values.includes((v as number) + 1)) values.push((v as number) + 1);
      return { ...e, values };
    }
    default:
      return e;
  }
}

function projectThrough(p: BoundPredicate, field: PartitionField): BoundExpression | undefined {
  const source = p.term.type;
  const t = field.transform;
  const ref: BoundReference = {
    fieldId: field.fieldId,
    name: field.name,
    type: resultType(t, source) as PrimitiveType,
  };
  const apply = (v: PrimitiveValue): PrimitiveValue => applyTransform(t, source, v) as PrimitiveValue;
  const applyAll = (vs: readonly PrimitiveValue[]): PrimitiveValue[] => {
    const out: PrimitiveValue[] = [];
    for (const v of vs.map(apply)) if (!out.some((w) => compareLiterals(v, w) === 0)) out.push(v);
    return out;
  };
  const set = (values: PrimitiveValue[]): BoundExpression =>
    values.length === 1
      ? { kind: "pred", op: "eq", term: ref, value: values[0] as PrimitiveValue }
      : { kind: "pred", op: "in", term: ref, values };

  switch (t.kind) {
    case "identity":
      return { ...p, term: ref };
    case "void":
    case "unknown":
      return undefined;
  }
  // Every other transform maps null to null and non-null to non-null.
  switch (p.op) {
    case "isNull":
    case "notNull":
      return { kind: "pred", op: p.op, term: ref };
    case "isNaN":
    case "notNaN":
    case "notEq":
    case "notIn":
      return undefined;
    case "eq":
      return { kind: "pred", op: "eq", term: ref, value: apply(p.value) };
    case "in":
      return set(applyAll(p.values));
  }
  if (t.kind === "bucket") return undefined;
  // truncate, year, month, day and hour keep order: a ≤ b ⇒ t(a) ≤ t(b). A strict bound on an
  // integer-like source becomes an inclusive one on its neighbour (x < v ⇔ x ≤ v - 1); strings and
  // bytes have no neighbour, so their strict bounds become inclusive ones on the value itself.
  const discrete = typeof p.value === "number" || typeof p.value === "bigint";
  const step = (v: PrimitiveValue, by: -1 | 1): PrimitiveValue =>
    typeof v === "bigint" ? v + BigInt(by) : (v as number) + by;
  switch (p.op) {
    case "lt":
      return { kind: "pred", op: "ltEq", term: ref, value: apply(discrete ? step(p.value, -1) : p.value) };
    case "ltEq":
      return { kind: "pred", op: "ltEq", term: ref, value: apply(p.value) };
    case "gt":
      return { kind: "pred", op: "gtEq", term: ref, value: apply(discrete ? step(p.value, 1) : p.value) };
    case "gtEq":
      return { kind: "pred", op: "gtEq", term: ref, value: apply(p.value) };
  }
}
