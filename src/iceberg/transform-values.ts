import { badRequest } from "../core/errors.ts";
import { murmur3 } from "./murmur3.ts";
import { civilFromDays, floorDiv, MICROS_PER_DAY, MICROS_PER_HOUR, toMicros } from "./temporal.ts";
import { type Transform, transformToString } from "./transforms.ts";
import { type PrimitiveType, type PrimitiveValue, primitiveToString } from "./types.ts";

/**
 * Applies a transform to one value of its source type (values as `PrimitiveValue` describes them).
 * `null` maps to `null` for every transform; `void` maps everything to `null`. Throws BAD_REQUEST
 * when the value does not fit the source type or the transform does not accept it.
 */
export function applyTransform(
  t: Transform,
  source: PrimitiveType,
  value: PrimitiveValue | null,
): PrimitiveValue | null {
  if (value === null || t.kind === "void") return null;
  const fail = (): never => {
    throw badRequest(
      `Cannot apply ${transformToString(t)} to ${describe(value)} of type ${primitiveToString(source)}`,
    );
  };
  switch (t.kind) {
    case "identity":
      return value;
    case "bucket":
      return (bucketHash(source, value) & 0x7fffffff) % t.numBuckets;
    case "truncate":
      return truncate(source, value, t.width) ?? fail();
    case "year":
    case "month":
    case "day":
    case "hour":
      return temporal(t.kind, source, value) ?? fail();
    case "unknown":
      return fail();
  }
}

function describe(v: PrimitiveValue): string {
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

const utf8 = new TextEncoder();

function longBytes(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt.asIntN(64, v), true);
  return out;
}

/** The fewest bytes holding `v` as big-endian two's complement (decimal bucket/bounds form). */
export function minBigEndian(v: bigint): Uint8Array {
  const bytes: number[] = [];
  let x = v;
  for (;;) {
    const b = Number(BigInt.asUintN(8, x));
    bytes.unshift(b);
    x >>= 8n;
    // Done once the rest is pure sign extension and the top bit of `b` agrees with the sign.
    if ((x === 0n && (b & 0x80) === 0) || (x === -1n && (b & 0x80) !== 0)) break;
  }
  return Uint8Array.from(bytes);
}

export function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw badRequest(`Invalid UUID: ${uuid}`);
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

const asBigInt = (v: PrimitiveValue): bigint | undefined =>
  typeof v === "bigint" ? v : typeof v === "number" && Number.isInteger(v) ? BigInt(v) : undefined;

/** The spec's hash of a value (Appendix B): ints hash as longs, nanosecond timestamps as micros. */
export function bucketHash(source: PrimitiveType, value: PrimitiveValue): number {
  const bad = (): never => {
    throw badRequest(`Cannot bucket ${describe(value)} of type ${primitiveToString(source)}`);
  };
  switch (source.type) {
    case "int":
    case "long":
    case "date":
    case "time":
    case "timestamp":
    case "timestamptz":
      return murmur3(longBytes(asBigInt(value) ?? bad()));
    case "timestamp_ns":
    case "timestamptz_ns":
      return murmur3(longBytes(toMicros(asBigInt(value) ?? bad(), true)));
    case "decimal":
      return murmur3(minBigEndian(asBigInt(value) ?? bad()));
    case "string":
      return typeof value === "string" ? murmur3(utf8.encode(value)) : bad();
    case "uuid":
      return typeof value === "string"
        ? murmur3(uuidToBytes(value))
        : value instanceof Uint8Array
          ? murmur3(value)
          : bad();
    case "fixed":
    case "binary":
      return value instanceof Uint8Array ? murmur3(value) : bad();
    default:
      return bad();
  }
}

function truncate(source: PrimitiveType, value: PrimitiveValue, width: number): PrimitiveValue | undefined {
  switch (source.type) {
    case "int":
      return typeof value === "number" ? value - (((value % width) + width) % width) : undefined;
    case "long":
    case "decimal": {
      if (typeof value !== "bigint" && typeof value !== "number") return undefined;
      const v = BigInt(value);
      const w = BigInt(width);
      return v - (((v % w) + w) % w);
    }
    case "string":
      // Truncated by code points, so a surrogate pair is never split.
      return typeof value === "string" ? Array.from(value).slice(0, width).join("") : undefined;
    case "binary":
      return value instanceof Uint8Array ? value.slice(0, width) : undefined;
    default:
      return undefined;
  }
}

function temporal(kind: "year" | "month" | "day" | "hour", source: PrimitiveType, value: PrimitiveValue) {
  let days: number;
  let micros: bigint | undefined;
  if (source.type === "date") {
    if (typeof value !== "number") return undefined;
    if (kind === "hour") return undefined;
    days = value;
  } else if (
    source.type === "timestamp" ||
    source.type === "timestamptz" ||
    source.type === "timestamp_ns" ||
    source.type === "timestamptz_ns"
  ) {
    const v = asBigInt(value);
    if (v === undefined) return undefined;
    micros = toMicros(v, source.type.endsWith("_ns"));
    days = Number(floorDiv(micros, MICROS_PER_DAY));
  } else {
    return undefined;
  }
  switch (kind) {
    case "day":
      return days;
    case "hour":
      return Number(floorDiv(micros as bigint, MICROS_PER_HOUR));
    case "year":
      return civilFromDays(days).year - 1970;
    case "month": {
      const { year, month } = civilFromDays(days);
      return (year - 1970) * 12 + month - 1;
    }
  }
}
