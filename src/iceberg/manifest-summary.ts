import type { PartitionType, PartitionValues } from "./data-file.ts";
import type { FieldSummary } from "./manifest-list.ts";
import { toSingleValue, uuidToBytes } from "./single-value.ts";
import type { PrimitiveType, PrimitiveValue } from "./types.ts";

/**
 * The `partitions` field summaries of a manifest list entry (Java's PartitionSummary): per partition
 * field, whether any tuple is null or NaN, and the lower and upper bound of the other values,
 * single-value serialized with the field's result type.
 */
export function summarizePartitions(
  partitionType: PartitionType,
  tuples: Iterable<PartitionValues>,
): FieldSummary[] {
  const fields = partitionType.fields.map((f) => ({
    type: f.type as PrimitiveType,
    containsNull: false,
    containsNan: false,
    lower: undefined as PrimitiveValue | undefined,
    upper: undefined as PrimitiveValue | undefined,
  }));
  for (const tuple of tuples) {
    fields.forEach((s, i) => {
      const v = tuple[i] ?? null;
      if (v === null) s.containsNull = true;
      else if (typeof v === "number" && Number.isNaN(v)) s.containsNan = true;
      else {
        if (s.lower === undefined || compareValues(s.type, v, s.lower) < 0) s.lower = v;
        if (s.upper === undefined || compareValues(s.type, v, s.upper) > 0) s.upper = v;
      }
    });
  }
  return fields.map((s) => ({
    containsNull: s.containsNull,
    containsNan: s.containsNan,
    ...(s.lower === undefined ? {} : { lowerBound: toSingleValue(s.type, s.lower) }),
    ...(s.upper === undefined ? {} : { upperBound: toSingleValue(s.type, s.upper) }),
  }));
}

/**
 * Iceberg's order of two non-null values of one type: -0.0 before +0.0, strings by code point
 * (their UTF-8 bytes), binary, fixed and uuid as unsigned bytes.
 */
export function compareValues(type: PrimitiveType, a: PrimitiveValue, b: PrimitiveValue): number {
  if (type.type === "uuid") return Buffer.compare(uuidToBytes(String(a)), uuidToBytes(String(b)));
  if (typeof a === "string" && typeof b === "string") return Buffer.compare(Buffer.from(a), Buffer.from(b));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (typeof a === "number" && typeof b === "number" && a === 0 && b === 0)
    return Object.is(a, b) ? 0 : Object.is(a, -0) ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
