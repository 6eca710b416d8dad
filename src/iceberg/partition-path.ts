import { badRequest } from "../core/errors.ts";
import { decimalFromString, decimalToString } from "./decimal.ts";
import type { PartitionSpec } from "./partition-spec.ts";
import { type Schema, findField } from "./schema.ts";
import { isoDate, isoTime, isoTimestamp, parseIsoDate, parseIsoTime, parseIsoTimestamp } from "./temporal.ts";
import { resultType, type Transform } from "./transforms.ts";
import { isPrimitive, type PrimitiveType, type PrimitiveValue } from "./types.ts";

/**
 * Human-readable partition values and the partition paths data files are written under
 * (`ts_day=2023-01-01/id_bucket=5`), as Java's `PartitionSpec.partitionToPath` writes them: the
 * transform's human string, names and values escaped as `URLEncoder` does (space → `+`).
 */

const pad2 = (n: number): string => n.toString().padStart(2, "0");

/** Java's `String.format("%04d", year)`: four characters at least, the sign included. */
const javaYear = (year: number): string =>
  year < 0 ? `-${String(-year).padStart(3, "0")}` : String(year).padStart(4, "0");

/** The human string of a transformed value of the given source type; `"null"` for null. */
export function humanString(t: Transform, source: PrimitiveType, value: PrimitiveValue | null): string {
  if (value === null) return "null";
  switch (t.kind) {
    case "year":
      return javaYear(1970 + (value as number));
    case "month": {
      const m = value as number;
      const year = 1970 + Math.floor(m / 12);
      return `${javaYear(year)}-${pad2((((m % 12) + 12) % 12) + 1)}`;
    }
    case "day":
      return isoDate(value as number);
    case "hour": {
      const h = value as number;
      return `${isoDate(Math.floor(h / 24))}-${pad2(((h % 24) + 24) % 24)}`;
    }
    case "bucket":
      return String(value);
    default:
      return identityHuman(source, value);
  }
}

function identityHuman(type: PrimitiveType, value: PrimitiveValue): string {
  switch (type.type) {
    case "date":
      return isoDate(value as number);
    case "time":
      return isoTime(value as bigint, true);
    case "timestamp":
    case "timestamp_ns":
      return isoTimestamp(value as bigint, type.type === "timestamp_ns", true);
    case "timestamptz":
    case "timestamptz_ns":
      return `${isoTimestamp(value as bigint, type.type === "timestamptz_ns", true)}Z`;
    case "decimal":
      return decimalToString(BigInt(value as bigint), type.scale);
    case "fixed":
    case "binary":
      return Buffer.from(value as Uint8Array).toString("base64");
    case "float":
    case "double":
      return javaDoubleString(value as number);
    default:
      return String(value);
  }
}

/** Java's `Double.toString`: `1.0`, `0.5`, `1.0E7`, `1.5E-4`, `NaN`, `Infinity`. */
function javaDoubleString(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) {
    const plain = String(v);
    return plain.includes(".") ? plain : `${plain}.0`;
  }
  const [mantissa, exponent] = v.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${exponent.replace("+", "")}`;
}

/** Reads a human string back into a value of the transform's result type. */
export function parseHumanString(t: Transform, source: PrimitiveType, text: string): PrimitiveValue | null {
  if (text === "null") return null;
  const bad = (): never => {
    throw badRequest(`Cannot read partition value "${text}" for transform ${t.kind} of ${source.type}`);
  };
  const int = (s: string): number => (/^-?\d+$/.test(s) ? Number(s) : bad());
  switch (t.kind) {
    case "year":
      return int(text) - 1970;
    case "month": {
      const m = /^([+-]?\d{3,})-(\d{2})$/.exec(text) ?? bad();
      return (Number(m[1]) - 1970) * 12 + Number(m[2]) - 1;
    }
    case "day":
      return parseIsoDate(text) ?? bad();
    case "hour": {
      const m = /^(.*)-(\d{2})$/.exec(text) ?? bad();
      return (parseIsoDate(m[1] as string) ?? bad()) * 24 + Number(m[2]);
    }
    case "bucket":
      return int(text);
    default: {
      const type = resultType(t, source);
      return isPrimitive(type) ? (parseIdentity(type, text) ?? bad()) : bad();
    }
  }
}

function parseIdentity(type: PrimitiveType, text: string): PrimitiveValue | undefined {
  switch (type.type) {
    case "boolean":
      return text === "true" ? true : text === "false" ? false : undefined;
    case "int":
      return /^-?\d+$/.test(text) ? Number(text) : undefined;
    case "long":
      return /^-?\d+$/.test(text) ? BigInt(text) : undefined;
    case "float":
    case "double": {
      const n = Number(text);
      return text.trim() !== "" && (!Number.isNaN(n) || text === "NaN") ? n : undefined;
    }
    case "decimal":
      return decimalFromString(text, type.scale);
    case "date":
      return parseIsoDate(text);
    case "time":
      return parseIsoTime(text, false);
    case "timestamp":
    case "timestamp_ns":
      return parseIsoTimestamp(text, type.type === "timestamp_ns", "none");
    case "timestamptz":
    case "timestamptz_ns":
      return parseIsoTimestamp(text, type.type === "timestamptz_ns", "utc");
    case "fixed":
    case "binary":
      return Uint8Array.from(Buffer.from(text, "base64"));
    default:
      return text;
  }
}

/** `URLEncoder.encode(s, UTF_8)`: unreserved `A-Za-z0-9.-*_` kept, space as `+`, the rest `%XX`. */
export function escapePathPart(s: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export function unescapePathPart(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    throw badRequest(`Invalid escape in partition path part "${s}"`);
  }
}

/** The partition path of a tuple of partition values, one per spec field in order. */
export function partitionPath(
  spec: PartitionSpec,
  schema: Schema,
  values: readonly (PrimitiveValue | null)[],
): string {
  if (values.length !== spec.fields.length)
    throw badRequest(`Partition tuple has ${values.length} values for ${spec.fields.length} fields`);
  return spec.fields
    .map((f, i) => {
      const source = sourceType(schema, f.sourceId);
      return `${escapePathPart(f.name)}=${escapePathPart(humanString(f.transform, source, values[i] ?? null))}`;
    })
    .join("/");
}

/** Reads a partition path written by `partitionPath` back into the tuple of values. */
export function parsePartitionPath(
  spec: PartitionSpec,
  schema: Schema,
  path: string,
): (PrimitiveValue | null)[] {
  const parts = path === "" ? [] : path.split("/");
  if (parts.length !== spec.fields.length)
    throw badRequest(`Partition path "${path}" has ${parts.length} parts for ${spec.fields.length} fields`);
  return spec.fields.map((f, i) => {
    const part = parts[i] as string;
    const eq = part.indexOf("=");
    if (eq < 0 || unescapePathPart(part.slice(0, eq)) !== f.name)
      throw badRequest(`Partition path part "${part}" does not name field ${f.name}`);
    return parseHumanString(
      f.transform,
      sourceType(schema, f.sourceId),
      unescapePathPart(part.slice(eq + 1)),
    );
  });
}

function sourceType(schema: Schema, id: number): PrimitiveType {
  const t = findField(schema, id)?.type;
  if (!t || !isPrimitive(t))
    throw badRequest(`Partition source field ${id} is not a primitive of the schema`);
  return t;
}
