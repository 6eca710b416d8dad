import { badRequest } from "../core/errors.ts";

/**
 * Typed readers of JSON object fields that fail with BAD_REQUEST naming the object and the field,
 * so a bad metadata file or request says exactly what is wrong. Integers come from `parseJson`,
 * which gives `bigint` beyond the safe range.
 */
export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function describeJson(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export function asObject(v: unknown, what: string): JsonObject {
  if (!isObject(v)) throw badRequest(`Cannot parse ${what}: expected an object, got ${describeJson(v)}`);
  return v;
}

const fail = (what: string, key: string, expected: string, v: unknown): never => {
  throw badRequest(
    v === undefined
      ? `Cannot parse ${what}: missing "${key}"`
      : `Cannot parse ${what}: "${key}" must be ${expected}, got ${describeJson(v)}`,
  );
};

export function reqInt(o: JsonObject, key: string, what: string): number {
  const v = o[key];
  return typeof v === "number" && Number.isSafeInteger(v) ? v : fail(what, key, "an integer", v);
}

export function optInt(o: JsonObject, key: string, what: string): number | undefined {
  return o[key] === undefined || o[key] === null ? undefined : reqInt(o, key, what);
}

/** A 64-bit integer as `bigint`, whatever size `parseJson` gave it. */
export function reqLong(o: JsonObject, key: string, what: string): bigint {
  const v = o[key];
  if (typeof v === "bigint") return v;
  return typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : fail(what, key, "an integer", v);
}

export function optLong(o: JsonObject, key: string, what: string): bigint | undefined {
  return o[key] === undefined || o[key] === null ? undefined : reqLong(o, key, what);
}

/** A 64-bit integer kept as `number` (timestamps, sizes, sequence numbers: far below 2^53). */
export function reqSafeLong(o: JsonObject, key: string, what: string): number {
  const v = o[key];
  return typeof v === "number" && Number.isSafeInteger(v) ? v : fail(what, key, "an integer below 2^53", v);
}

export function optSafeLong(o: JsonObject, key: string, what: string): number | undefined {
  return o[key] === undefined || o[key] === null ? undefined : reqSafeLong(o, key, what);
}

export function reqString(o: JsonObject, key: string, what: string): string {
  const v = o[key];
  return typeof v === "string" ? v : fail(what, key, "a string", v);
}

export function optString(o: JsonObject, key: string, what: string): string | undefined {
  return o[key] === undefined || o[key] === null ? undefined : reqString(o, key, what);
}

export function reqArray(o: JsonObject, key: string, what: string): unknown[] {
  const v = o[key];
  return Array.isArray(v) ? v : fail(what, key, "a list", v);
}

export function optArray(o: JsonObject, key: string, what: string): unknown[] | undefined {
  return o[key] === undefined || o[key] === null ? undefined : reqArray(o, key, what);
}

export function intList(o: JsonObject, key: string, what: string): number[] {
  const list = reqArray(o, key, what);
  return list.every((v) => typeof v === "number" && Number.isSafeInteger(v))
    ? (list as number[])
    : fail(what, key, "a list of integers", list);
}

export function stringList(o: JsonObject, key: string, what: string): string[] {
  const list = reqArray(o, key, what);
  return list.every((v) => typeof v === "string")
    ? (list as string[])
    : fail(what, key, "a list of strings", list);
}

/** A string → string map such as `properties` or a snapshot summary. */
export function stringMap(o: JsonObject, key: string, what: string): Record<string, string> {
  const v = o[key];
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === "string"))
    return fail(what, key, "an object of strings", v);
  return { ...(v as Record<string, string>) };
}

export function optStringMap(o: JsonObject, key: string, what: string): Record<string, string> | undefined {
  return o[key] === undefined || o[key] === null ? undefined : stringMap(o, key, what);
}
