import { badRequest } from "../../core/errors.ts";
import { decimalFromString } from "../decimal.ts";
import { bytesToUuid, fromSingleValue } from "../single-value.ts";
import { parseIsoDate, parseIsoTime, parseIsoTimestamp } from "../temporal.ts";
import { type PrimitiveType, type PrimitiveValue, primitiveToString } from "../types.ts";
import type { Literal } from "./expression.ts";

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/**
 * Converts a caller's literal to a value of a column's type (`PrimitiveValue`'s representation).
 * Accepted: integers as `number` or `bigint` for int/long/date/time/timestamps; ISO strings for
 * date (`2024-01-31`), time (`12:30:00`) and timestamps (`2024-01-31T12:30:00`, with `Z` or
 * `+00:00` for the `tz` types), and `Date` objects for dates and timestamps; numbers for
 * float/double (kept as doubles: a float column is compared as the engine compares it, promoted);
 * decimals as strings (`"14.20"`), numbers or integer bigints, exact at the column's scale; UUIDs as
 * strings; `Uint8Array` for fixed and binary. Anything else is a BAD_REQUEST naming the column.
 */
export function convertLiteral(type: PrimitiveType, value: Literal, column: string): PrimitiveValue {
  const fail = (why = ""): never => {
    throw badRequest(
      `Cannot compare column ${column} of type ${primitiveToString(type)} with ${describeLiteral(value)}${why}`,
    );
  };
  const integer = (min: bigint, max: bigint): bigint => {
    let v: bigint | undefined;
    if (typeof value === "bigint") v = value;
    else if (typeof value === "number" && Number.isInteger(value)) v = BigInt(value);
    if (v === undefined) return fail();
    if (v < min || v > max) return fail(": out of range");
    return v;
  };
  switch (type.type) {
    case "boolean":
      return typeof value === "boolean" ? value : fail();
    case "int":
      return Number(integer(BigInt(INT_MIN), BigInt(INT_MAX)));
    case "long":
      return integer(LONG_MIN, LONG_MAX);
    case "float":
    case "double":
      if (typeof value === "number") return value;
      if (typeof value === "bigint" && BigInt(Number(value)) === value) return Number(value);
      return fail();
    case "decimal": {
      let unscaled: bigint | undefined;
      if (typeof value === "bigint") unscaled = value * 10n ** BigInt(type.scale);
      else if (typeof value === "number" && Number.isFinite(value))
        unscaled = decimalFromString(String(value), type.scale);
      else if (typeof value === "string") unscaled = decimalFromString(value, type.scale);
      else return fail();
      if (unscaled === undefined) return fail(`: not a decimal with at most ${type.scale} fractional digits`);
      if ((unscaled < 0n ? -unscaled : unscaled) >= 10n ** BigInt(type.precision))
        return fail(`: more than ${type.precision} digits`);
      return unscaled;
    }
    case "date": {
      if (typeof value === "string") return parseIsoDate(value) ?? fail(": not an ISO date (YYYY-MM-DD)");
      if (value instanceof Date) {
        const ms = value.getTime();
        if (Number.isNaN(ms) || ms % 86_400_000 !== 0) return fail(": not midnight UTC");
        return ms / 86_400_000;
      }
      return Number(integer(BigInt(INT_MIN), BigInt(INT_MAX)));
    }
    case "time":
      if (typeof value === "string") return parseIsoTime(value, false) ?? fail(": not an ISO time");
      return integer(0n, 86_400_000_000n - 1n);
    case "timestamp":
    case "timestamptz":
    case "timestamp_ns":
    case "timestamptz_ns": {
      const nanos = type.type.endsWith("_ns");
      if (typeof value === "string")
        return (
          parseIsoTimestamp(value, nanos, type.type.startsWith("timestamptz") ? "any" : "none") ??
          fail(": not an ISO timestamp")
        );
      if (value instanceof Date) {
        const ms = value.getTime();
        if (Number.isNaN(ms)) return fail();
        return BigInt(ms) * (nanos ? 1_000_000n : 1000n);
      }
      return integer(LONG_MIN, LONG_MAX);
    }
    case "string":
      return typeof value === "string" ? value : fail();
    case "uuid":
      if (typeof value === "string" && UUID.test(value)) return value.toLowerCase();
      if (value instanceof Uint8Array && value.length === 16) return bytesToUuid(value);
      return fail();
    case "fixed":
      if (!(value instanceof Uint8Array)) return fail();
      return value.length === type.length ? value : fail(`: not ${type.length} bytes`);
    case "binary":
      return value instanceof Uint8Array ? value : fail();
    default:
      throw badRequest(`Cannot filter on column ${column}: type ${primitiveToString(type)} has no literals`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function describeLiteral(v: Literal): string {
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (v instanceof Date) return `the date ${Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString()}`;
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `the ${typeof v} ${String(v)}`;
}

export const isFloating = (t: PrimitiveType): boolean => t.type === "float" || t.type === "double";

export const isNaNValue = (v: PrimitiveValue | null | undefined): boolean =>
  typeof v === "number" && Number.isNaN(v);

/**
 * The order of two non-null values of one column: numbers as SQL engines compare them (-0 equals
 * +0; NaN above every number and equal to itself), strings by code point (their UTF-8 bytes), bytes
 * unsigned, UUIDs by their bytes (the canonical lower-case text sorts the same way). A `number` and
 * a `bigint` compare by value, which a promoted int → long column needs.
 */
export function compareLiterals(a: PrimitiveValue, b: PrimitiveValue): number {
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "string" && typeof b === "string") {
    if (a === b) return 0;
    return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  if ((typeof a === "number" || typeof a === "bigint") && (typeof b === "number" || typeof b === "bigint"))
    return a < b ? -1 : a > b ? 1 : 0;
  throw badRequest(`Cannot compare a ${typeof a} with a ${typeof b}`);
}

/**
 * Reads a lower or upper bound (single-value serialization) for a column of `type`, or undefined
 * when it cannot be trusted: bytes of another width (a bound written before an int → long or
 * float → double promotion is read as the narrower type), bytes that do not decode, a NaN.
 */
export function decodeBound(type: PrimitiveType, bytes: Uint8Array | undefined): PrimitiveValue | undefined {
  if (bytes === undefined) return undefined;
  let t = type;
  if (bytes.length === 4 && type.type === "long") t = { type: "int" };
  else if (bytes.length === 4 && type.type === "double") t = { type: "float" };
  try {
    const v = fromSingleValue(t, bytes);
    return isNaNValue(v) ? undefined : v;
  } catch {
    return undefined;
  }
}
