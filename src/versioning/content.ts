import { stringifyJson } from "../core/json.ts";
import { randomUUID } from "node:crypto";
import { badRequest } from "../core/errors.ts";
import { canonicalize } from "./hash.ts";
import {
  CONTENT_TYPES,
  type Content,
  type ContentInput,
  type ContentKey,
  type ContentType,
} from "./model.ts";

/** Checks a content value from outside: a known type, an optional string id, object fields. */
export function checkContent(c: unknown, key: ContentKey): ContentInput {
  const where = `content of key '${key.join(".")}'`;
  if (c === null || typeof c !== "object" || Array.isArray(c)) throw badRequest(`${where} must be an object`);
  const obj = c as Record<string, unknown>;
  if (typeof obj.type !== "string" || !CONTENT_TYPES.includes(obj.type as ContentType)) {
    throw badRequest(
      `${where} has unknown type '${String(obj.type)}'; expected one of ${CONTENT_TYPES.join(", ")}`,
    );
  }
  if (obj.id !== undefined && obj.id !== null && (typeof obj.id !== "string" || obj.id.length === 0)) {
    throw badRequest(`${where} has an invalid id`);
  }
  if (obj.type === "ICEBERG_TABLE" || obj.type === "ICEBERG_VIEW") {
    if (typeof obj.metadataLocation !== "string" || obj.metadataLocation === "") {
      throw badRequest(`${where} must have a metadataLocation`);
    }
  }
  const { id, ...rest } = obj;
  return (typeof id === "string" ? { ...rest, id } : rest) as ContentInput;
}

/** The content as stored: with its id, and a namespace's elements equal to its key. */
export function withId(c: ContentInput, key: ContentKey, id = c.id ?? randomUUID()): Content {
  const base = { ...c, id } as Content;
  return canonicalize(c.type === "NAMESPACE" ? { ...base, elements: [...key] } : base);
}

export function sameContent(a: Content | undefined | null, b: Content | undefined | null): boolean {
  if (a === undefined || a === null) return b === undefined || b === null;
  if (b === undefined || b === null) return false;
  // Stored contents are canonical (keys sorted), so plain JSON text compares them.
  return a === b || stringifyJson(a) === stringifyJson(b);
}
