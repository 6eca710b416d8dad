import { badRequest } from "../core/errors.ts";

/**
 * Iceberg's data types (spec "Schemas and Data Types") as a discriminated union on `type`, and their
 * JSON form (spec Appendix C): primitives are strings (`"long"`, `"decimal(9,2)"`, `"fixed[16]"`),
 * nested types are objects carrying their field ids.
 */

/** Primitives without parameters. `unknown`, `variant`, `timestamp_ns` and `timestamptz_ns` are v3. */
export const SIMPLE_PRIMITIVES = [
  "boolean",
  "int",
  "long",
  "float",
  "double",
  "date",
  "time",
  "timestamp",
  "timestamptz",
  "timestamp_ns",
  "timestamptz_ns",
  "string",
  "uuid",
  "binary",
  "unknown",
  "variant",
] as const;

export type SimplePrimitiveName = (typeof SIMPLE_PRIMITIVES)[number];

export type PrimitiveType =
  | { readonly type: SimplePrimitiveName }
  | { readonly type: "decimal"; readonly precision: number; readonly scale: number }
  | { readonly type: "fixed"; readonly length: number }
  /** v3; `crs` absent means the spec's default `OGC:CRS84`. */
  | { readonly type: "geometry"; readonly crs?: string }
  /** v3; `algorithm` absent means `spherical`. */
  | { readonly type: "geography"; readonly crs?: string; readonly algorithm?: string };

export interface NestedField {
  readonly id: number;
  readonly name: string;
  readonly required: boolean;
  readonly type: IcebergType;
  readonly doc?: string;
  /** v3: the value readers use for rows written before the field existed (JSON single-value form). */
  readonly initialDefault?: unknown;
  /** v3: the value writers use when a row gives none (JSON single-value form). */
  readonly writeDefault?: unknown;
}

export interface StructType {
  readonly type: "struct";
  readonly fields: readonly NestedField[];
}

export interface ListType {
  readonly type: "list";
  readonly elementId: number;
  readonly elementRequired: boolean;
  readonly element: IcebergType;
}

export interface MapType {
  readonly type: "map";
  readonly keyId: number;
  readonly key: IcebergType;
  readonly valueId: number;
  readonly valueRequired: boolean;
  readonly value: IcebergType;
}

export type NestedType = StructType | ListType | MapType;
export type IcebergType = PrimitiveType | NestedType;

export const isPrimitive = (t: IcebergType): t is PrimitiveType =>
  t.type !== "struct" && t.type !== "list" && t.type !== "map";

export const primitive = (name: SimplePrimitiveName): PrimitiveType => ({ type: name });
export const decimal = (precision: number, scale: number): PrimitiveType => ({
  type: "decimal",
  precision,
  scale,
});
export const fixed = (length: number): PrimitiveType => ({ type: "fixed", length });

/** The spec's string for a primitive: `"decimal(9,2)"`, `"fixed[16]"`, `"long"`. */
export function primitiveToString(t: PrimitiveType): string {
  switch (t.type) {
    case "decimal":
      return `decimal(${t.precision},${t.scale})`;
    case "fixed":
      return `fixed[${t.length}]`;
    case "geometry":
      return t.crs === undefined ? "geometry" : `geometry(${t.crs})`;
    case "geography":
      if (t.crs === undefined && t.algorithm === undefined) return "geography";
      return t.algorithm === undefined
        ? `geography(${t.crs})`
        : `geography(${t.crs ?? "OGC:CRS84"}, ${t.algorithm})`;
    default:
      return t.type;
  }
}

const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;
const FIXED = /^fixed\[\s*(\d+)\s*\]$/;
const GEOMETRY = /^geometry\s*(?:\(\s*([^)]*?)\s*\))?$/;
const GEOGRAPHY = /^geography\s*(?:\(\s*([^,)]*?)\s*(?:,\s*([^)]*?)\s*)?\))?$/;

/** Parses a primitive type string; throws BAD_REQUEST naming the string. */
export function parsePrimitive(s: string): PrimitiveType {
  const lower = s.trim().toLowerCase();
  if ((SIMPLE_PRIMITIVES as readonly string[]).includes(lower)) return { type: lower as SimplePrimitiveName };
  const d = DECIMAL.exec(lower);
  if (d) {
    const precision = Number(d[1]);
    const scale = Number(d[2]);
    if (precision < 1 || precision > 38) throw badRequest(`Unsupported decimal precision in "${s}": 1..38`);
    if (scale > precision) throw badRequest(`Decimal scale larger than precision in "${s}"`);
    return { type: "decimal", precision, scale };
  }
  const f = FIXED.exec(lower);
  if (f) {
    const length = Number(f[1]);
    if (length < 1) throw badRequest(`Fixed length must be positive in "${s}"`);
    return { type: "fixed", length };
  }
  // CRS and algorithm keep their case, so they are read from the original string.
  const trimmed = s.trim();
  const g = GEOMETRY.exec(trimmed.replace(/^geometry/i, "geometry"));
  if (g) return g[1] ? { type: "geometry", crs: g[1] } : { type: "geometry" };
  const gg = GEOGRAPHY.exec(trimmed.replace(/^geography/i, "geography"));
  if (gg) {
    const out: { type: "geography"; crs?: string; algorithm?: string } = { type: "geography" };
    if (gg[1]) out.crs = gg[1];
    if (gg[2]) out.algorithm = gg[2];
    return out;
  }
  throw badRequest(`Unknown Iceberg type: "${s}"`);
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function field<T>(obj: Json, key: string, what: string, check: (v: unknown) => v is T, expected: string): T {
  const v = obj[key];
  if (!check(v)) throw badRequest(`Cannot parse ${what}: "${key}" must be ${expected}, got ${describe(v)}`);
  return v;
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);
const isBool = (v: unknown): v is boolean => typeof v === "boolean";
const isString = (v: unknown): v is string => typeof v === "string";

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "bigint") return v.toString();
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Reads a type from its JSON form; throws BAD_REQUEST saying what is wrong. */
export function typeFromJson(json: unknown): IcebergType {
  if (typeof json === "string") return parsePrimitive(json);
  if (!isObject(json)) throw badRequest(`Cannot parse type from ${describe(json)}`);
  switch (json.type) {
    case "struct":
      return structFromJson(json);
    case "list":
      return {
        type: "list",
        elementId: field(json, "element-id", "list type", isInt, "an integer"),
        elementRequired: field(json, "element-required", "list type", isBool, "a boolean"),
        element: typeFromJson(json.element),
      };
    case "map":
      return {
        type: "map",
        keyId: field(json, "key-id", "map type", isInt, "an integer"),
        key: typeFromJson(json.key),
        valueId: field(json, "value-id", "map type", isInt, "an integer"),
        valueRequired: field(json, "value-required", "map type", isBool, "a boolean"),
        value: typeFromJson(json.value),
      };
    default:
      throw badRequest(`Cannot parse type: unknown nested type ${describe(json.type)}`);
  }
}

/** Reads `{"type":"struct","fields":[…]}`; `what` names it in errors (`schema 1`). */
export function structFromJson(json: unknown, what = "struct"): StructType {
  if (!isObject(json)) throw badRequest(`Cannot parse ${what} from ${describe(json)}`);
  if (json.type !== "struct")
    throw badRequest(`Cannot parse ${what}: "type" must be "struct", got ${describe(json.type)}`);
  const fields = json.fields;
  if (!Array.isArray(fields))
    throw badRequest(`Cannot parse ${what}: "fields" must be an array, got ${describe(fields)}`);
  return { type: "struct", fields: fields.map(nestedFieldFromJson) };
}

export function nestedFieldFromJson(json: unknown): NestedField {
  if (!isObject(json)) throw badRequest(`Cannot parse struct field from ${describe(json)}`);
  const id = field(json, "id", "struct field", isInt, "an integer");
  const name = field(json, "name", `struct field ${id}`, isString, "a string");
  const required = field(json, "required", `struct field ${id} (${name})`, isBool, "a boolean");
  if (json.type === undefined) throw badRequest(`Cannot parse struct field ${id} (${name}): missing "type"`);
  const out: {
    -readonly [K in keyof NestedField]: NestedField[K];
  } = { id, name, required, type: typeFromJson(json.type) };
  if (json.doc !== undefined) out.doc = field(json, "doc", `struct field ${id}`, isString, "a string");
  if (json["initial-default"] !== undefined) out.initialDefault = json["initial-default"];
  if (json["write-default"] !== undefined) out.writeDefault = json["write-default"];
  return out;
}

/** The JSON form of a type, ready for `stringifyJson`. */
export function typeToJson(t: IcebergType): unknown {
  switch (t.type) {
    case "struct":
      return structToJson(t);
    case "list":
      return {
        type: "list",
        "element-id": t.elementId,
        element: typeToJson(t.element),
        "element-required": t.elementRequired,
      };
    case "map":
      return {
        type: "map",
        "key-id": t.keyId,
        key: typeToJson(t.key),
        "value-id": t.valueId,
        value: typeToJson(t.value),
        "value-required": t.valueRequired,
      };
    default:
      return primitiveToString(t);
  }
}

export function structToJson(t: StructType): Json {
  return { type: "struct", fields: t.fields.map(nestedFieldToJson) };
}

export function nestedFieldToJson(f: NestedField): Json {
  const out: Json = { id: f.id, name: f.name, required: f.required, type: typeToJson(f.type) };
  if (f.doc !== undefined) out.doc = f.doc;
  if (f.initialDefault !== undefined) out["initial-default"] = f.initialDefault;
  if (f.writeDefault !== undefined) out["write-default"] = f.writeDefault;
  return out;
}

/** Structural equality of two types (field names, ids, optionality and docs included). */
export function typesEqual(a: IcebergType, b: IcebergType): boolean {
  return JSON.stringify(typeToJson(a), bigintSafe) === JSON.stringify(typeToJson(b), bigintSafe);
}

const bigintSafe = (_k: string, v: unknown): unknown => (typeof v === "bigint" ? `${v}n` : v);

/**
 * Whether a column of type `from` may be changed to `to` (spec "Schema Evolution", type promotion):
 * int → long, float → double, decimal(P,S) → decimal(P',S) with P' ≥ P; from v3 also
 * date → timestamp / timestamp_ns, and unknown → any type. Equal types are trivially allowed.
 */
export function canPromote(from: IcebergType, to: IcebergType, formatVersion = 2): boolean {
  if (!isPrimitive(from) || !isPrimitive(to)) return typesEqual(from, to);
  if (primitiveToString(from) === primitiveToString(to)) return true;
  switch (from.type) {
    case "int":
      return to.type === "long";
    case "float":
      return to.type === "double";
    case "decimal":
      return to.type === "decimal" && to.scale === from.scale && to.precision >= from.precision;
    case "date":
      return formatVersion >= 3 && (to.type === "timestamp" || to.type === "timestamp_ns");
    case "unknown":
      return formatVersion >= 3;
    default:
      return false;
  }
}

/**
 * A value of a primitive type in memory (partition tuples, defaults, bounds): `boolean`; `int` and
 * `date` (days from 1970-01-01) as `number`; `long`, `time`, `timestamp(tz)` (microseconds) and the
 * v3 `_ns` variants (nanoseconds) as `bigint`; `float`/`double` as `number`; `string` and `uuid`
 * (lower-case canonical form) as `string`; `fixed` and `binary` as bytes; `decimal(P,S)` as its
 * unscaled `bigint`, the scale being the type's.
 */
export type PrimitiveValue = boolean | number | bigint | string | Uint8Array;
