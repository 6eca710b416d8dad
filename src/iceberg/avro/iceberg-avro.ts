import { badRequest } from "../../core/errors.ts";
import type { PartitionType } from "../data-file.ts";
import type { PrimitiveType, PrimitiveValue } from "../types.ts";
import { bytesToDecimal, bytesToUuid, decimalToBytes, uuidToBytes } from "../single-value.ts";
import type { AvroNode } from "./by-id.ts";

/**
 * Iceberg types in Avro (spec Appendix A), as Java's AvroSchemaUtil writes them: optional fields
 * are `["null", T]` with default null, ids in `field-id` / `element-id`, maps with int keys as
 * arrays of `k<id>_v<id>` records with `logicalType: "map"`.
 */

type Json = Record<string, unknown>;

export const req = (id: number, name: string, type: unknown, doc?: string): Json => ({
  name,
  type,
  ...(doc ? { doc } : {}),
  "field-id": id,
});

export const opt = (id: number, name: string, type: unknown, doc?: string): Json => ({
  name,
  type: ["null", type],
  default: null,
  ...(doc ? { doc } : {}),
  "field-id": id,
});

export const listOf = (elementId: number, items: unknown): Json => ({
  type: "array",
  items,
  "element-id": elementId,
});

export const intMapOf = (keyId: number, valueId: number, valueType: string): Json => ({
  type: "array",
  logicalType: "map",
  items: {
    type: "record",
    name: `k${keyId}_v${valueId}`,
    fields: [req(keyId, "key", "int"), req(valueId, "value", valueType)],
  },
});

/** Avro schema of a primitive; `names` tracks named fixed types already defined in this schema. */
function primitiveToAvro(t: PrimitiveType, names: Set<string>): unknown {
  const fixed = (name: string, size: number, extra: Json): unknown => {
    if (names.has(name)) return name;
    names.add(name);
    return { type: "fixed", name, size, ...extra };
  };
  switch (t.type) {
    case "boolean":
    case "int":
    case "long":
    case "float":
    case "double":
    case "string":
      return t.type;
    case "binary":
    case "geometry":
    case "geography":
      return "bytes";
    case "date":
      return { type: "int", logicalType: "date" };
    case "time":
      return { type: "long", logicalType: "time-micros" };
    case "timestamp":
    case "timestamptz":
      return { type: "long", logicalType: "timestamp-micros", "adjust-to-utc": t.type === "timestamptz" };
    case "timestamp_ns":
    case "timestamptz_ns":
      return { type: "long", logicalType: "timestamp-nanos", "adjust-to-utc": t.type === "timestamptz_ns" };
    case "uuid":
      return fixed("uuid_fixed", 16, { logicalType: "uuid" });
    case "fixed":
      return fixed(`fixed_${t.length}`, t.length, {});
    case "decimal":
      return fixed(`decimal_${t.precision}_${t.scale}`, decimalBytes(t.precision), {
        logicalType: "decimal",
        precision: t.precision,
        scale: t.scale,
      });
    default:
      throw badRequest(`A partition field cannot have type ${t.type} in a manifest`);
  }
}

/** Bytes needed for a decimal of `precision` digits (Java's TypeUtil.decimalRequiredBytes). */
export function decimalBytes(precision: number): number {
  let n = 1;
  while (2 ** (8 * n - 1) <= 10 ** precision) n++;
  return n;
}

/** The `r102` record of a manifest: one optional field per partition field, by partition field id. */
export function partitionAvroSchema(partitionType: PartitionType): Json {
  const names = new Set<string>();
  return {
    type: "record",
    name: "r102",
    fields: partitionType.fields.map((f) =>
      // A partition of a dropped column has type unknown: Avro null (spec Appendix A).
      f.type.type === "unknown"
        ? { name: avroName(f.name), type: "null", default: null, "field-id": f.id }
        : opt(f.id, avroName(f.name), primitiveToAvro(asPrimitive(f.type), names)),
    ),
  };
}

/**
 * An Avro-legal name for an Iceberg field name, as Java's AvroSchemaUtil.makeCompatibleName makes
 * it: a leading digit gets `_`, other illegal characters become `_x` and their hex code.
 */
export function avroName(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return name;
  const hex = (c: string): string => `_x${(c.codePointAt(0) as number).toString(16).toUpperCase()}`;
  let out = "";
  [...name].forEach((c, i) => {
    if (/[A-Za-z_]/.test(c) || (i > 0 && /[0-9]/.test(c))) out += c;
    else if (i === 0 && /[0-9]/.test(c)) out += `_${c}`;
    else out += hex(c);
  });
  return out || "_";
}

function asPrimitive(t: PartitionType["fields"][number]["type"]): PrimitiveType {
  if (t.type === "struct" || t.type === "list" || t.type === "map")
    throw badRequest(`A partition field cannot have type ${t.type}`);
  return t as PrimitiveType;
}

/** The Iceberg type of a field written as `node` (for partition tuples read without a spec). */
export function avroToPrimitive(node: AvroNode): PrimitiveType | undefined {
  const n = node.kind === "optional" ? node.of : node;
  if (n.kind !== "primitive") return undefined;
  const logical = n.props.logicalType;
  const utc = n.props["adjust-to-utc"] === true;
  switch (n.type) {
    case "null":
      return { type: "unknown" };
    case "boolean":
    case "float":
    case "double":
    case "string":
      return { type: n.type };
    case "int":
      return { type: logical === "date" ? "date" : "int" };
    case "long":
      if (logical === "time-micros") return { type: "time" };
      if (logical === "timestamp-micros") return { type: utc ? "timestamptz" : "timestamp" };
      if (logical === "timestamp-nanos") return { type: utc ? "timestamptz_ns" : "timestamp_ns" };
      return { type: "long" };
    case "bytes":
      return { type: "binary" };
    case "fixed": {
      const size = Number(n.props.size);
      if (logical === "uuid") return { type: "uuid" };
      if (logical === "decimal")
        return { type: "decimal", precision: Number(n.props.precision), scale: Number(n.props.scale ?? 0) };
      return { type: "fixed", length: size };
    }
    default:
      return undefined;
  }
}

/** A partition value as avsc writes it for `t` (see `partitionAvroSchema`). */
export function toAvroValue(t: PrimitiveType, v: PrimitiveValue | null): unknown {
  if (v === null) return null;
  switch (t.type) {
    case "uuid":
      return Buffer.from(uuidToBytes(String(v)));
    case "decimal":
      return Buffer.from(decimalToBytes(v as bigint, decimalBytes(t.precision)));
    case "long":
    case "time":
    case "timestamp":
    case "timestamptz":
    case "timestamp_ns":
    case "timestamptz_ns":
      return typeof v === "number" ? BigInt(v) : v;
    default:
      return v instanceof Uint8Array ? Buffer.from(v) : v;
  }
}

/** A partition value read from Avro (already in id form: bytes as Uint8Array), as floe holds it. */
export function fromAvroValue(t: PrimitiveType, v: unknown): PrimitiveValue | null | undefined {
  if (v === null || v === undefined) return null;
  switch (t.type) {
    case "unknown":
      return undefined;
    case "uuid":
      return v instanceof Uint8Array && v.length === 16 ? bytesToUuid(v) : undefined;
    case "decimal":
      return v instanceof Uint8Array && v.length > 0 ? bytesToDecimal(v) : undefined;
    case "boolean":
      return typeof v === "boolean" ? v : undefined;
    case "int":
    case "date":
    case "float":
    case "double":
      return typeof v === "number" ? v : undefined;
    case "long":
    case "time":
    case "timestamp":
    case "timestamptz":
    case "timestamp_ns":
    case "timestamptz_ns":
      return typeof v === "bigint" ? v : typeof v === "number" ? BigInt(v) : undefined;
    case "string":
      return typeof v === "string" ? v : undefined;
    default:
      return v instanceof Uint8Array ? v : undefined;
  }
}
