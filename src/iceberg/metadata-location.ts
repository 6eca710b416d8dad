import { randomUUID } from "node:crypto";
import { parseJson, stringifyJson } from "../core/json.ts";
import { badRequest, isFloeError } from "../core/errors.ts";
import { type TableMetadata, tableMetadataFromJson, tableMetadataToJson } from "./table-metadata.ts";

/**
 * Where a table's metadata files go and what they are called, as Java's metastore catalogs name
 * them: `<location>/metadata/00042-<uuid>.metadata.json`, the number one past the file it replaces
 * (`write.metadata.path` moves the folder). Also the text form of a metadata file.
 */
const NUMBERED = /(?:^|\/)(\d+)-[0-9a-fA-F-]{36}(?:\.gz)?\.metadata\.json$/;
const HADOOP = /(?:^|\/)v(\d+)(?:\.gz)?\.metadata\.json$/;

/** The version number in a metadata file name, or -1 when the name has none. */
export function metadataVersion(location: string): number {
  const m = NUMBERED.exec(location) ?? HADOOP.exec(location);
  return m ? Number(m[1]) : -1;
}

/** The location of the next metadata file of a table whose current file is `previous` (none for a new table). */
export function nextMetadataLocation(
  m: Pick<TableMetadata, "location" | "properties">,
  previous?: string,
  uuid: string = randomUUID(),
): string {
  const folder = (
    m.properties["write.metadata.path"] ?? `${m.location.replace(/\/+$/, "")}/metadata`
  ).replace(/\/+$/, "");
  const version = (previous === undefined ? -1 : metadataVersion(previous)) + 1;
  return `${folder}/${String(version).padStart(5, "0")}-${uuid}.metadata.json`;
}

/**
 * Reads a metadata file's text. Every problem — not JSON (a truncated file), not valid table
 * metadata, an unsupported format version — is a BAD_REQUEST that names the file.
 */
export function readTableMetadata(text: string, location = "table metadata"): TableMetadata {
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (e) {
    throw badRequest(`Cannot read ${location}: not JSON (${(e as Error).message})`);
  }
  try {
    return tableMetadataFromJson(json);
  } catch (e) {
    if (isFloeError(e, "BAD_REQUEST")) throw badRequest(`Cannot read ${location}: ${e.message}`);
    throw e;
  }
}

/** The text of a metadata file, with 64-bit ids written exactly. */
export const writeTableMetadata = (m: TableMetadata): string => stringifyJson(tableMetadataToJson(m));
