import { createHash } from "node:crypto";

/** Nessie's hash of "no ancestor": the parent of every root commit and the head of a new repository. */
export const NO_ANCESTOR_HASH = "2e1cfa82b035c26cbbbdae632cea070514eb8b773f616aaeaf668e2f0be8f10d";

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * A deep copy of a JSON value with object keys in sorted order, so that `JSON.stringify` of it is
 * canonical. Contents are canonicalised once when they enter the store; tree nodes and commits are
 * built with a fixed key order, so hashing them needs only the native `JSON.stringify`.
 */
export function canonicalize<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(canonicalize) as T;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) if (obj[k] !== undefined) out[k] = canonicalize(obj[k]);
  return out as T;
}

/**
 * Canonical JSON: object keys sorted, no whitespace. Commit hashes and tree-node hashes are the
 * SHA-256 of this encoding, so equal values always hash equally.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}
