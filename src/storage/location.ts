import { isAbsolute, resolve } from "node:path";
import { badRequest } from "../core/errors.ts";

/**
 * A place in object storage, parsed from the URIs Iceberg metadata carries. Two families:
 * - `file`: an absolute POSIX path, from `file:///abs/p`, `file:/abs/p` (Hadoop's spelling) or a
 *   plain path (relative paths resolve against the working directory);
 * - `s3`: a bucket and a key, from `s3://bucket/key`, `s3a://…` or `s3n://…` (Hadoop's schemes
 *   for the same objects).
 * URIs are not percent-decoded: Iceberg builds locations by string concatenation, and so does
 * floe, so the text after the bucket (or the path) is the key as it is.
 * A trailing `/` is kept: it matters for list prefixes.
 */
export type Location =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "s3"; readonly bucket: string; readonly key: string };

const S3_SCHEMES = /^(s3|s3a|s3n):\/\/([^/]*)(?:\/(.*))?$/s;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseLocation(uri: string): Location {
  if (uri.includes("\0")) throw badRequest(`Invalid location: contains a NUL character`);
  const s3 = S3_SCHEMES.exec(uri);
  if (s3) {
    const bucket = s3[2] ?? "";
    if (!BUCKET.test(bucket)) throw badRequest(`Invalid S3 bucket name in location '${uri}'`);
    return { kind: "s3", bucket, key: s3[3] ?? "" };
  }
  if (uri.startsWith("file:")) {
    const rest = uri.slice("file:".length);
    // file:///p and file:/p; file://host/p names another machine
    const path = rest.startsWith("///") ? rest.slice(2) : rest.startsWith("//") ? undefined : rest;
    if (path === undefined || !path.startsWith("/")) throw badRequest(`Unsupported file location '${uri}'`);
    return { kind: "file", path: collapseSlashes(path) };
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(uri)) throw badRequest(`Unsupported location scheme: '${uri}'`);
  if (uri === "") throw badRequest("Invalid location: empty");
  const path = isAbsolute(uri) ? uri : resolve(uri) + (uri.endsWith("/") ? "/" : "");
  return { kind: "file", path: collapseSlashes(path) };
}

/** The canonical spelling: `file:///abs/path` or `s3://bucket/key`. Every store returns these. */
export function formatLocation(loc: Location): string {
  return loc.kind === "file" ? `file://${loc.path}` : `s3://${loc.bucket}/${loc.key}`;
}

export function canonicalLocation(uri: string): string {
  return formatLocation(parseLocation(uri));
}

/** A store's root: a directory or a bucket (and optional key prefix), without a trailing slash. */
export function parseRoot(uri: string): Location {
  const loc = parseLocation(uri);
  if (loc.kind === "file") {
    const path = loc.path.replace(/\/+$/, "");
    return { kind: "file", path: path === "" ? "/" : path };
  }
  return { kind: "s3", bucket: loc.bucket, key: loc.key.replace(/\/+$/, "") };
}

/**
 * The key of `uri` relative to `root` (as `parseRoot` gives it), or a BAD_REQUEST when the location
 * is of another family, bucket or outside the root. With `prefix`, the location may be the root
 * itself (the whole store: key "") or end in a partial segment; otherwise it must name an object
 * (a non-empty key). On local disk no segment may be `.` or `..`, which would escape the root.
 */
export function keyWithin(root: Location, uri: string, opts: { prefix?: boolean } = {}): string {
  const loc = parseLocation(uri);
  let full: string;
  let base: string;
  if (root.kind === "file" && loc.kind === "file") {
    full = loc.path;
    base = root.path === "/" ? "" : root.path;
  } else if (root.kind === "s3" && loc.kind === "s3" && root.bucket === loc.bucket) {
    full = loc.key;
    base = root.key;
  } else {
    throw badRequest(`Location '${uri}' is outside the store ${formatLocation(root)}`);
  }
  if (base !== "" && opts.prefix && (full === base || full === `${base}/`)) return "";
  if (base !== "" && !full.startsWith(`${base}/`)) {
    throw badRequest(`Location '${uri}' is outside the store ${formatLocation(root)}`);
  }
  const key = base === "" && loc.kind === "s3" ? full : full.slice(base.length + 1);
  if (!opts.prefix && (key === "" || key.split("/").at(-1)!.startsWith(TEMP_PREFIX))) {
    throw badRequest(`Invalid object location '${uri}'`);
  }
  // on disk, `.` and `..` would escape or alias and `a/` is no file; S3 keys may hold anything (data written by others)
  const segments = key.split("/");
  if (opts.prefix) segments.pop();
  if (loc.kind === "file" && segments.some((s) => s === "" || s === "." || s === "..")) {
    throw badRequest(`Invalid object location '${uri}'`);
  }
  return key;
}

/** Names the local store gives its temporary files; never an object's name. */
export const TEMP_PREFIX = ".floe-tmp-";

function collapseSlashes(path: string): string {
  return path.replace(/\/{2,}/g, "/");
}
