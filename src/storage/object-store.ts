import { badRequest } from "../core/errors.ts";

/**
 * Object storage for table data and metadata: a directory on local disk or a bucket (prefix) in S3.
 * The methods map to S3 operations; the local store gives the same guarantees.
 *
 * Contract (checked by `test/storage/object-store-contract.ts` against every implementation):
 * - Paths are full locations, as Iceberg metadata stores them (`s3://bucket/w/t/metadata/x.json`,
 *   `file:///srv/w/t/…`; see `location.ts` for the accepted spellings), and must lie inside `root`;
 *   anything else is a BAD_REQUEST. Every path the store returns is canonical (`s3://`,
 *   `file:///`), whatever spelling (`s3a://`, a plain path) it was given.
 * - `get` and `getRange` of a missing object throw a FloeError of kind NOT_FOUND. `getRange` returns
 *   the bytes `[offset, offset + length)`, fewer when the object ends first (none past the end).
 * - `put` replaces the object atomically: a reader sees the old bytes or the new, never a part.
 *   Objects above the store's multipart threshold are uploaded in parts, still atomically.
 * - `putFile` is `put` of a local file's bytes, read as they are sent: the file is never held in
 *   memory whole (data files DuckDB wrote, of up to the target file size).
 * - `putIfAbsent` writes only when no object exists at the path and says whether it did; of any
 *   number of concurrent calls on one path exactly one returns true (on S3 this needs a server that
 *   honours `If-None-Match: *`; see docs/object-storage.md).
 * - `list(prefix)` returns the objects whose location starts with `prefix` (a string prefix, not
 *   only a directory), recursively, in ascending byte order of their location, at most `limit`
 *   (default 1000) per page. A page may hold fewer; the listing is complete when `nextToken` is
 *   absent. Passing `nextToken` back continues after the last item returned, so paging neither
 *   repeats nor skips objects that existed throughout.
 * - `delete` removes the object; deleting a missing object succeeds.
 * - `head` returns the size and modification time, or undefined when there is no object.
 */
export interface ObjectStore {
  /** The store's root location, canonical and without a trailing slash. */
  readonly root: string;
  readonly description: string;
  get(path: string): Promise<Uint8Array>;
  getRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  put(path: string, bytes: Uint8Array): Promise<void>;
  putFile(path: string, file: string): Promise<void>;
  putIfAbsent(path: string, bytes: Uint8Array): Promise<boolean>;
  list(prefix: string, opts?: { pageToken?: string; limit?: number }): Promise<ObjectPage>;
  delete(path: string): Promise<void>;
  head(path: string): Promise<ObjectInfo | undefined>;
  close(): Promise<void>;
}

export interface ObjectInfo {
  readonly size: number;
  readonly lastModified: Date;
}

export interface ObjectPage {
  readonly items: ReadonlyArray<ObjectInfo & { readonly path: string }>;
  readonly nextToken?: string;
}

export const DEFAULT_LIST_LIMIT = 1000;

/** A page token is the last key of the page before, opaque to callers. */
export function encodePageToken(lastKey: string): string {
  return Buffer.from(lastKey, "utf8").toString("base64url");
}

export function decodePageToken(token: string | undefined): string | undefined {
  return token === undefined ? undefined : Buffer.from(token, "base64url").toString("utf8");
}

export function checkListLimit(limit: number | undefined): number {
  const n = limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(n) || n < 1) throw badRequest(`list limit must be a positive integer: ${n}`);
  return n;
}

export function checkRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw badRequest(`invalid byte range: offset ${offset}, length ${length}`);
  }
}
