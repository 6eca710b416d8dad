import { badRequest } from "../core/errors.ts";
import type { PrimitiveType, PrimitiveValue } from "./types.ts";

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/**
 * Iceberg's binary single-value serialization (spec Appendix D), used for column bounds in
 * manifests and partition bounds in manifest lists. Throws BAD_REQUEST when the value does not
 * fit the type.
 */
export function toSingleValue(type: PrimitiveType, value: PrimitiveValue): Uint8Array {
  const fail = (): never => {
    throw badRequest(`Cannot serialize ${describe(value)} as a ${type.type} bound`);
  };
  switch (type.type) {
    case "boolean":
      return typeof value === "boolean" ? Uint8Array.of(value ? 1 : 0) : fail();
    case "int":
    case "date": {
      if (typeof value !== "number" || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31)
        return fail();
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, value, true);
      return out;
    }
    case "long":
    case "time":
    case "timestamp":
    case "timestamptz":
    case "timestamp_ns":
    case "timestamptz_ns": {
      const v = typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value;
      if (typeof v !== "bigint" || v < -(2n ** 63n) || v >= 2n ** 63n) return fail();
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigInt64(0, v, true);
      return out;
    }
    case "float": {
      if (typeof value !== "number") return fail();
      const out = new Uint8Array(4);
      new DataView(out.buffer).setFloat32(0, value, true);
      return out;
    }
    case "double": {
      if (typeof value !== "number") return fail();
      const out = new Uint8Array(8);
      new DataView(out.buffer).setFloat64(0, value, true);
      return out;
    }
    case "string":
      return typeof value === "string" ? utf8.encode(value) : fail();
    case "uuid":
      return typeof value === "string" ? uuidToBytes(value) : fail();
    case "fixed":
      if (!(value instanceof Uint8Array) || value.length !== type.length) return fail();
      return Uint8Array.from(value);
    case "binary":
    case "geometry":
    case "geography":
      return value instanceof Uint8Array ? Uint8Array.from(value) : fail();
    case "decimal":
      return typeof value === "bigint" ? decimalToBytes(value) : fail();
    default:
      throw badRequest(`Iceberg has no single-value serialization for ${type.type}`);
  }
}

/** The inverse of `toSingleValue`; throws BAD_REQUEST on bytes of the wrong length or encoding. */
export function fromSingleValue(type: PrimitiveType, bytes: Uint8Array): PrimitiveValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number): void => {
    if (bytes.length !== n) throw badRequest(`A ${type.type} bound must be ${n} bytes, got ${bytes.length}`);
  };
  switch (type.type) {
    case "boolean":
      need(1);
      return bytes[0] !== 0;
    case "int":
    case "date":
      need(4);
      return view.getInt32(0, true);
    case "long":
    case "time":
    case "timestamp":
    case "timestamptz":
    case "timestamp_ns":
    case "timestamptz_ns":
      need(8);
      return view.getBigInt64(0, true);
    case "float":
      need(4);
      return view.getFloat32(0, true);
    case "double":
      need(8);
      return view.getFloat64(0, true);
    case "string":
      try {
        return utf8Strict.decode(bytes);
      } catch {
        throw badRequest("A string bound is not valid UTF-8");
      }
    case "uuid":
      need(16);
      return bytesToUuid(bytes);
    case "fixed":
      need(type.length);
      return Uint8Array.from(bytes);
    case "binary":
    case "geometry":
    case "geography":
      return Uint8Array.from(bytes);
    case "decimal":
      if (bytes.length === 0) throw badRequest("A decimal bound must have at least one byte");
      return bytesToDecimal(bytes);
    default:
      throw badRequest(`Iceberg has no single-value serialization for ${type.type}`);
  }
}

/** Two's-complement big-endian bytes of `v`, as few as hold it (0 is one byte). */
export function decimalToBytes(v: bigint, size?: number): Uint8Array {
  let n = 1;
  while (v < -(1n << BigInt(8 * n - 1)) || v >= 1n << BigInt(8 * n - 1)) n++;
  const len = size ?? n;
  if (len < n) throw badRequest(`Decimal ${v} does not fit in ${len} bytes`);
  const out = new Uint8Array(len);
  let x = BigInt.asUintN(8 * len, v);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export function bytesToDecimal(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return BigInt.asIntN(8 * bytes.length, x);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuidToBytes(s: string): Uint8Array {
  if (!UUID.test(s)) throw badRequest(`Not a UUID: "${s}"`);
  return Uint8Array.from(Buffer.from(s.replace(/-/g, ""), "hex"));
}

export function bytesToUuid(b: Uint8Array): string {
  const h = Buffer.from(b).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function describe(v: PrimitiveValue): string {
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return `${typeof v} ${String(v)}`;
}
