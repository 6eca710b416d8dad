import { badRequest } from "../core/errors.ts";
import { checkKey } from "../versioning/keys.ts";
import type { ContentKey, ReferenceType } from "../versioning/model.ts";
import { printable } from "../versioning/ref-spec.ts";
import { keyFromPathString } from "./key-path.ts";

/** Query parameters as Fastify parses them: repeated names become arrays. */
export type Query = Readonly<Record<string, string | string[] | undefined>>;

/** A single-valued parameter; like JAX-RS, the first of repeated values wins. */
export function queryString(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
}

function queryList(query: Query, name: string): string[] {
  const v = query[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function queryInt(query: Query, name: string): number | undefined {
  const v = queryString(query, name);
  if (v === undefined || v === "") return undefined;
  if (!/^-?\d{1,9}$/.test(v))
    throw badRequest(`query parameter '${name}' must be an integer, got '${printable(v)}'`);
  return Number(v);
}

export function queryBool(query: Query, name: string): boolean {
  const v = queryString(query, name);
  if (v === undefined || v === "") return false;
  const lower = v.toLowerCase();
  if (lower !== "true" && lower !== "false") {
    throw badRequest(`query parameter '${name}' must be true or false, got '${printable(v)}'`);
  }
  return lower === "true";
}

/** `fetch=MINIMAL|ALL` (case-insensitive); absent means MINIMAL. */
export function queryFetchAll(query: Query): boolean {
  const v = queryString(query, "fetch");
  if (v === undefined || v === "") return false;
  const upper = v.toUpperCase();
  if (upper !== "ALL" && upper !== "MINIMAL") {
    throw badRequest(`query parameter 'fetch' must be MINIMAL or ALL, got '${printable(v)}'`);
  }
  return upper === "ALL";
}

export function parseRefType(value: string | undefined, name = "type"): ReferenceType | undefined {
  if (value === undefined || value === "") return undefined;
  const upper = value.toUpperCase();
  if (upper !== "BRANCH" && upper !== "TAG") {
    throw badRequest(`${name} must be BRANCH or TAG, got '${printable(value)}'`);
  }
  return upper;
}

/** A content key in its path-string form (either representation), checked. */
export function parseKeyParam(value: string, name: string): ContentKey {
  return checkKey(keyFromPathString(value), `content key in '${name}'`);
}

export function queryKey(query: Query, name: string): ContentKey | undefined {
  const v = queryString(query, name);
  return v === undefined ? undefined : parseKeyParam(v, name);
}

export function queryKeys(query: Query, name: string): ContentKey[] {
  return queryList(query, name).map((v) => parseKeyParam(v, name));
}
