import { badRequest } from "../core/errors.ts";
import { CONTENT_TYPES, type ContentInput, type ContentType } from "../versioning/model.ts";
import { printable } from "../versioning/ref-spec.ts";

/**
 * A content value from a request body, checked against the fields of Nessie's content classes
 * (IcebergTable, IcebergView, Namespace, DeltaLakeTable, UDF). Like Nessie's Jackson mapping,
 * required fields must be present with the right JSON type and unknown fields are dropped.
 */

type FieldType = "string" | "nonBlank" | "int" | "long" | "strings" | "stringMap";
interface Field {
  readonly type: FieldType;
  readonly required?: boolean;
}

const FIELDS: Readonly<Record<ContentType, Readonly<Record<string, Field>>>> = {
  ICEBERG_TABLE: {
    metadataLocation: { type: "nonBlank", required: true },
    snapshotId: { type: "long", required: true },
    schemaId: { type: "int", required: true },
    specId: { type: "int", required: true },
    sortOrderId: { type: "int", required: true },
  },
  ICEBERG_VIEW: {
    metadataLocation: { type: "nonBlank", required: true },
    versionId: { type: "long", required: true },
    schemaId: { type: "int", required: true },
    sqlText: { type: "string" },
    dialect: { type: "string" },
  },
  NAMESPACE: {
    elements: { type: "strings" },
    properties: { type: "stringMap" },
  },
  DELTA_LAKE_TABLE: {
    metadataLocationHistory: { type: "strings" },
    checkpointLocationHistory: { type: "strings" },
    lastCheckpoint: { type: "string" },
  },
  UDF: {
    sqlText: { type: "string" },
    dialect: { type: "string" },
    versionId: { type: "string" },
    signatureId: { type: "string" },
    metadataLocation: { type: "string" },
  },
};

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function parseContent(value: unknown, field: string): ContentInput {
  if (!isObject(value))
    throw badRequest(`${field} must be a JSON object with 'type' and the content's fields`);
  const type = value.type;
  if (typeof type !== "string" || !(CONTENT_TYPES as readonly string[]).includes(type)) {
    throw badRequest(
      `${field}.type must be one of ${CONTENT_TYPES.join(", ")}, got ${type === undefined ? "nothing" : `'${printable(String(type))}'`}`,
    );
  }
  const out: Record<string, unknown> = { type };
  if (value.id !== undefined && value.id !== null) {
    if (typeof value.id !== "string" || value.id === "")
      throw badRequest(`${field}.id must be a non-empty string`);
    out.id = value.id;
  }
  for (const [name, spec] of Object.entries(FIELDS[type as ContentType])) {
    const v = value[name];
    if (v === undefined || v === null) {
      if (spec.required) throw badRequest(`${field}.${name} is required for ${type}`);
      continue;
    }
    out[name] = checkField(v, spec.type, `${field}.${name}`);
  }
  return out as unknown as ContentInput;
}

function checkField(v: unknown, type: FieldType, path: string): unknown {
  switch (type) {
    case "string":
      if (typeof v !== "string") throw badRequest(`${path} must be a string`);
      return v;
    case "nonBlank":
      if (typeof v !== "string" || v.trim() === "") throw badRequest(`${path} must be a non-blank string`);
      return v;
    case "int":
      if (typeof v !== "number" || !Number.isInteger(v) || v < INT_MIN || v > INT_MAX) {
        throw badRequest(`${path} must be a 32-bit integer`);
      }
      return v;
    case "long":
      if (typeof v === "bigint" && v >= LONG_MIN && v <= LONG_MAX) return v;
      if (typeof v !== "number" || !Number.isSafeInteger(v))
        throw badRequest(`${path} must be a 64-bit integer`);
      return v;
    case "strings":
      if (!Array.isArray(v) || v.some((e) => typeof e !== "string")) {
        throw badRequest(`${path} must be an array of strings`);
      }
      return v;
    case "stringMap":
      if (!isObject(v) || Object.values(v).some((e) => typeof e !== "string")) {
        throw badRequest(`${path} must be an object of string values`);
      }
      return v;
  }
}
