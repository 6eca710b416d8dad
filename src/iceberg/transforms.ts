import { badRequest } from "../core/errors.ts";
import { type IcebergType, type PrimitiveType, isPrimitive } from "./types.ts";

/**
 * Partition and sort transforms (spec "Partition Transforms") as a discriminated union on `kind`,
 * with their string form (`"bucket[16]"`), result types and the source types each accepts. A
 * transform floe does not know is kept by name so metadata written by newer engines still reads.
 */
export type Transform =
  | { readonly kind: "identity" }
  | { readonly kind: "bucket"; readonly numBuckets: number }
  | { readonly kind: "truncate"; readonly width: number }
  | { readonly kind: "year" }
  | { readonly kind: "month" }
  | { readonly kind: "day" }
  | { readonly kind: "hour" }
  | { readonly kind: "void" }
  | { readonly kind: "unknown"; readonly name: string };

export const IDENTITY: Transform = { kind: "identity" };
export const VOID: Transform = { kind: "void" };

const BUCKET = /^bucket\[(\d+)\]$/;
const TRUNCATE = /^truncate\[(\d+)\]$/;

/** Reads a transform string; unknown names become `{kind: "unknown"}`, bad parameters throw. */
export function parseTransform(s: string): Transform {
  const lower = s.trim().toLowerCase();
  switch (lower) {
    case "identity":
    case "year":
    case "month":
    case "day":
    case "hour":
    case "void":
      return { kind: lower };
  }
  const b = BUCKET.exec(lower);
  if (b) {
    const numBuckets = Number(b[1]);
    if (numBuckets < 1 || numBuckets > 2147483647)
      throw badRequest(`Invalid transform "${s}": N must be 1..2^31-1`);
    return { kind: "bucket", numBuckets };
  }
  const t = TRUNCATE.exec(lower);
  if (t) {
    const width = Number(t[1]);
    if (width < 1 || width > 2147483647) throw badRequest(`Invalid transform "${s}": W must be 1..2^31-1`);
    return { kind: "truncate", width };
  }
  if (lower.startsWith("bucket") || lower.startsWith("truncate"))
    throw badRequest(
      `Invalid transform "${s}": expected ${lower.startsWith("bucket") ? "bucket[N]" : "truncate[W]"}`,
    );
  return { kind: "unknown", name: s };
}

export function transformToString(t: Transform): string {
  switch (t.kind) {
    case "bucket":
      return `bucket[${t.numBuckets}]`;
    case "truncate":
      return `truncate[${t.width}]`;
    case "unknown":
      return t.name;
    default:
      return t.kind;
  }
}

export const transformsEqual = (a: Transform, b: Transform): boolean =>
  transformToString(a) === transformToString(b);

const TEMPORAL = new Set(["date", "timestamp", "timestamptz", "timestamp_ns", "timestamptz_ns"]);
const TIMESTAMPS = new Set(["timestamp", "timestamptz", "timestamp_ns", "timestamptz_ns"]);
const BUCKETABLE = new Set([
  "int",
  "long",
  "decimal",
  "date",
  "time",
  "timestamp",
  "timestamptz",
  "timestamp_ns",
  "timestamptz_ns",
  "string",
  "uuid",
  "fixed",
  "binary",
]);
const TRUNCATABLE = new Set(["int", "long", "decimal", "string", "binary"]);
const NOT_IDENTITY = new Set(["variant", "geometry", "geography"]);

/** Whether the transform may be applied to a column of this type (the spec's source-type table). */
export function canTransform(t: Transform, source: IcebergType): boolean {
  if (t.kind === "void" || t.kind === "unknown") return true;
  if (!isPrimitive(source)) return false;
  switch (t.kind) {
    case "identity":
      return !NOT_IDENTITY.has(source.type);
    case "bucket":
      return BUCKETABLE.has(source.type);
    case "truncate":
      return TRUNCATABLE.has(source.type);
    case "year":
    case "month":
    case "day":
      return TEMPORAL.has(source.type);
    case "hour":
      return TIMESTAMPS.has(source.type);
  }
}

/**
 * The type of the transform's output for a source type. `day` gives `date` (as Java and
 * iceberg-rust do, so partition values print as dates); year, month, hour and bucket give `int`.
 */
export function resultType(t: Transform, source: IcebergType): IcebergType {
  switch (t.kind) {
    case "identity":
    case "truncate":
    case "void":
    case "unknown":
      return source;
    case "bucket":
    case "year":
    case "month":
    case "hour":
      return INT;
    case "day":
      return DATE;
  }
}

const INT: PrimitiveType = { type: "int" };
const DATE: PrimitiveType = { type: "date" };

/**
 * Whether the transform keeps order (a < b ⇒ t(a) ≤ t(b)), which lets sort orders and scan
 * planning use it; bucket does not.
 */
export function preservesOrder(t: Transform): boolean {
  return t.kind !== "bucket" && t.kind !== "unknown";
}
