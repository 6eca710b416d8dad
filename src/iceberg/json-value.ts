import { badRequest } from "../core/errors.ts";
import { decimalFromString, decimalToString } from "./decimal.ts";
import { isoDate, isoTime, isoTimestamp, parseIsoDate, parseIsoTime, parseIsoTimestamp } from "./temporal.ts";
import { uuidToBytes } from "./transform-values.ts";
import { type PrimitiveType, type PrimitiveValue, primitiveToString } from "./types.ts";

/**
 * The spec's JSON single-value serialization (Appendix D) for primitives: used for partition values
 * in JSON, and for `initial-default` / `write-default`. Longs outside the safe integer range are
 * `bigint`, which `stringifyJson` writes as plain numbers.
 */
export function valueToJson(type: PrimitiveType, value: PrimitiveValue | null): unknown {
  if (value === null) return null;
  const bad = (): never => {
    throw badRequest(`Cannot write ${String(value)} as a ${primitiveToString(type)} value`);
  };
  switch (type.type) {
    case "boolean":
      return typeof value === "boolean" ? value : bad();
    case "int":
    case "float":
    case "double":
      return typeof value === "number" ? value : bad();
    case "long":
      if (typeof value === "number") return value;
      if (typeof value !== "bigint") return bad();
      return Number.isSafeInteger(Number(value)) ? Number(value) : value;
    case "decimal":
      return typeof value === "bigint" || typeof value === "number"
        ? decimalToString(BigInt(value), type.scale)
        : bad();
    case "date":
      return typeof value === "number" ? isoDate(value) : bad();
    case "time":
      return typeof value === "bigint" ? isoTime(value) : bad();
    case "timestamp":
    case "timestamp_ns":
    case "timestamptz":
    case "timestamptz_ns": {
      if (typeof value !== "bigint") return bad();
      const text = isoTimestamp(value, type.type.endsWith("_ns"));
      return type.type.startsWith("timestamptz") ? `${text}+00:00` : text;
    }
    case "string":
      return typeof value === "string" ? value : bad();
    case "uuid":
      return typeof value === "string" ? value.toLowerCase() : bad();
    case "fixed":
    case "binary":
      return value instanceof Uint8Array ? Buffer.from(value).toString("hex") : bad();
    default:
      return bad();
  }
}

/** Reads a JSON single value of a primitive type; throws BAD_REQUEST saying what did not fit. */
export function valueFromJson(type: PrimitiveType, json: unknown): PrimitiveValue | null {
  if (json === null || json === undefined) return null;
  const bad = (): never => {
    throw badRequest(
      `Cannot read ${JSON.stringify(json, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))} as a ${primitiveToString(type)} value`,
    );
  };
  const text = typeof json === "string" ? json : undefined;
  switch (type.type) {
    case "boolean":
      return typeof json === "boolean" ? json : bad();
    case "int":
      return typeof json === "number" && Number.isInteger(json) && Math.abs(json) <= 2 ** 31 ? json : bad();
    case "long":
      if (typeof json === "bigint") return json;
      return typeof json === "number" && Number.isSafeInteger(json) ? BigInt(json) : bad();
    case "float":
    case "double":
      return typeof json === "number" ? json : bad();
    case "decimal":
      return (text !== undefined ? decimalFromString(text, type.scale) : undefined) ?? bad();
    case "date":
      return (text !== undefined ? parseIsoDate(text) : undefined) ?? bad();
    case "time":
      return (text !== undefined ? parseIsoTime(text, false) : undefined) ?? bad();
    case "timestamp":
    case "timestamp_ns":
      return (
        (text !== undefined ? parseIsoTimestamp(text, type.type === "timestamp_ns", "none") : undefined) ??
        bad()
      );
    case "timestamptz":
    case "timestamptz_ns":
      return (
        (text !== undefined ? parseIsoTimestamp(text, type.type === "timestamptz_ns", "utc") : undefined) ??
        bad()
      );
    case "string":
      return text ?? bad();
    case "uuid":
      if (text === undefined) return bad();
      uuidToBytes(text);
      return text.toLowerCase();
    case "fixed":
    case "binary": {
      if (text === undefined || !/^(?:[0-9a-fA-F]{2})*$/.test(text)) return bad();
      const bytes = Uint8Array.from(Buffer.from(text, "hex"));
      return type.type === "fixed" && bytes.length !== type.length ? bad() : bytes;
    }
    default:
      return bad();
  }
}
