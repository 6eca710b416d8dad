import { posix } from "node:path";
import { badRequest, isFloeError } from "../core/errors.ts";
import { type Location, parseLocation } from "../storage/location.ts";
import type { TableMetadata } from "./table-metadata.ts";

/**
 * Which files a table may name. A table's metadata points at manifest lists, manifests, data and
 * delete files by absolute URI; a corrupt or hostile metadata file could point a reader (or a
 * maintenance job that deletes files) at anything the store can reach. floe therefore reads and
 * commits only files that lie under the table's `location` or one of its write-path properties
 * (`write.data.path`, `write.metadata.path`, and the older `write.object-storage.path` and
 * `write.folder-storage.path`); `s3a://` and `s3n://` count as `s3://`, and a path with a `..`
 * segment that leaves those folders is outside. Tables whose files were added from elsewhere
 * (pyiceberg's `add_files`, a migrated table) set the table property
 * `floe.allow-files-outside-location` to `true`.
 */
export const ALLOW_FILES_OUTSIDE_LOCATION = "floe.allow-files-outside-location";

const ROOT_PROPERTIES = [
  "write.data.path",
  "write.metadata.path",
  "write.object-storage.path",
  "write.folder-storage.path",
] as const;

/**
 * Checks one file location; throws BAD_REQUEST naming the file (`what` says what it is, `context`
 * where it was found).
 */
export type TableFileCheck = (path: string, what: string, context?: string) => void;

/** A check of the locations `m` may name (a no-op when the table property allows any). */
export function tableFileCheck(m: Pick<TableMetadata, "location" | "properties">): TableFileCheck {
  if (m.properties[ALLOW_FILES_OUTSIDE_LOCATION] === "true") return () => undefined;
  const roots = [m.location, ...ROOT_PROPERTIES.flatMap((p) => m.properties[p] ?? [])].flatMap((r) => {
    const root = normalized(r);
    return root === undefined ? [] : [root];
  });
  const where = (): string => {
    const extra = ROOT_PROPERTIES.filter((p) => m.properties[p] !== undefined).map(
      (p) => `${p} ${m.properties[p]}`,
    );
    return `table location ${m.location}${extra.length > 0 ? ` (or ${extra.join(", ")})` : ""}`;
  };
  // Most paths start with a root as written: that test is a string compare (planning reads 100,000s).
  const prefixes = roots.flatMap(spellings);
  return (path, what, context) => {
    if (prefixes.some((p) => path.startsWith(p)) && !path.includes("/.") && !path.includes("\0")) return;
    const named = `${what} ${path}${context === undefined ? "" : ` (${context})`}`;
    const loc = normalized(path);
    if (loc === undefined) throw badRequest(`${named} is not a location floe can read (table ${m.location})`);
    if (roots.some((root) => within(root, loc))) return;
    throw badRequest(
      `${named} lies outside the ${where()}: refused (table property ${ALLOW_FILES_OUTSIDE_LOCATION}=true allows it)`,
    );
  };
}

/** The location with `.` and `..` segments resolved; undefined when it is not one floe can parse. */
function normalized(uri: string): Location | undefined {
  let loc: Location;
  try {
    loc = parseLocation(uri);
  } catch (e) {
    if (isFloeError(e)) return undefined;
    throw e;
  }
  if (loc.kind === "file") return { kind: "file", path: posix.normalize(loc.path) };
  const key = posix.normalize(`/${loc.key}`);
  return { kind: "s3", bucket: loc.bucket, key: key.slice(1) };
}

/** How a URI under `root` may start, for the fast path. */
function spellings(root: Location): string[] {
  if (root.kind === "file") {
    const base = root.path.replace(/\/+$/, "");
    return [`file://${base}/`, `file:${base}/`, `${base}/`];
  }
  const key = root.key.replace(/\/+$/, "");
  return ["s3", "s3a", "s3n"].map((scheme) => `${scheme}://${root.bucket}/${key === "" ? "" : `${key}/`}`);
}

function within(root: Location, loc: Location): boolean {
  if (root.kind === "file" && loc.kind === "file") return under(root.path, loc.path);
  if (root.kind === "s3" && loc.kind === "s3")
    return root.bucket === loc.bucket && under(`/${root.key}`, `/${loc.key}`);
  return false;
}

const under = (root: string, path: string): boolean => {
  const base = root.replace(/\/+$/, "");
  return path.startsWith(`${base}/`) && path.length > base.length + 1;
};

/** A manifest or manifest list of a newer format than its table's cannot belong to it. */
export function checkFileVersion(
  m: Pick<TableMetadata, "location" | "formatVersion">,
  version: number,
  what: string,
): void {
  if (version > m.formatVersion)
    throw badRequest(
      `Cannot read ${what}: it is format v${version}, but table ${m.location} is format v${m.formatVersion}`,
    );
}
