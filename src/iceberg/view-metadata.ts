import { badRequest } from "../core/errors.ts";
import {
  asObject,
  type JsonObject,
  optString,
  optStringMap,
  reqArray,
  reqInt,
  reqSafeLong,
  reqString,
  stringList,
  stringMap,
} from "./json-fields.ts";
import { type Schema, schemaFromJson, schemaToJson } from "./schema.ts";

/**
 * View metadata (Iceberg view spec, format version 1): versions of a view's SQL, each with its
 * schema, and the log of which version was current when.
 */
export interface SqlRepresentation {
  readonly type: "sql";
  readonly sql: string;
  readonly dialect: string;
}

export interface ViewVersion {
  readonly versionId: number;
  readonly schemaId: number;
  readonly timestampMs: number;
  readonly summary: Readonly<Record<string, string>>;
  readonly representations: readonly SqlRepresentation[];
  readonly defaultCatalog?: string;
  readonly defaultNamespace: readonly string[];
}

export interface ViewHistoryEntry {
  readonly versionId: number;
  readonly timestampMs: number;
}

export interface ViewMetadata {
  readonly viewUuid: string;
  readonly formatVersion: 1;
  readonly location: string;
  readonly schemas: readonly Schema[];
  readonly currentVersionId: number;
  readonly versions: readonly ViewVersion[];
  readonly versionLog: readonly ViewHistoryEntry[];
  readonly properties: Readonly<Record<string, string>>;
}

function representationFromJson(json: unknown, what: string): SqlRepresentation {
  const o = asObject(json, what);
  const type = reqString(o, "type", what);
  if (type.toLowerCase() !== "sql")
    throw badRequest(`Cannot parse ${what}: unknown representation type "${type}"`);
  return { type: "sql", sql: reqString(o, "sql", what), dialect: reqString(o, "dialect", what) };
}

export function viewVersionFromJson(json: unknown): ViewVersion {
  const o = asObject(json, "view version");
  const versionId = reqInt(o, "version-id", "view version");
  const what = `view version ${versionId}`;
  const representations = reqArray(o, "representations", what).map((r) =>
    representationFromJson(r, `${what} representation`),
  );
  const dialects = new Set<string>();
  for (const r of representations) {
    const dialect = r.dialect.toLowerCase();
    if (dialects.has(dialect))
      throw badRequest(
        `Invalid view version: Cannot add multiple queries for dialect ${r.dialect} (${what})`,
      );
    dialects.add(dialect);
  }
  const out: { -readonly [K in keyof ViewVersion]: ViewVersion[K] } = {
    versionId,
    schemaId: reqInt(o, "schema-id", what),
    timestampMs: reqSafeLong(o, "timestamp-ms", what),
    summary: stringMap(o, "summary", what),
    representations,
    defaultNamespace: stringList(o, "default-namespace", what),
  };
  const catalog = optString(o, "default-catalog", what);
  if (catalog !== undefined) out.defaultCatalog = catalog;
  return out;
}

export function viewVersionToJson(v: ViewVersion): JsonObject {
  const out: JsonObject = {
    "version-id": v.versionId,
    "timestamp-ms": v.timestampMs,
    "schema-id": v.schemaId,
    summary: { ...v.summary },
  };
  if (v.defaultCatalog !== undefined) out["default-catalog"] = v.defaultCatalog;
  out["default-namespace"] = [...v.defaultNamespace];
  out.representations = v.representations.map((r) => ({ type: r.type, sql: r.sql, dialect: r.dialect }));
  return out;
}

/** Reads and validates view metadata JSON; throws BAD_REQUEST naming the problem. */
export function viewMetadataFromJson(json: unknown): ViewMetadata {
  const what = "view metadata";
  const o = asObject(json, what);
  const version = reqInt(o, "format-version", what);
  if (version !== 1)
    throw badRequest(`Cannot read unsupported view metadata format-version ${version}: floe reads 1`);
  const m: ViewMetadata = {
    viewUuid: reqString(o, "view-uuid", what),
    formatVersion: 1,
    location: reqString(o, "location", what),
    schemas: reqArray(o, "schemas", what).map((s) => schemaFromJson(s)),
    currentVersionId: reqInt(o, "current-version-id", what),
    versions: reqArray(o, "versions", what).map(viewVersionFromJson),
    versionLog: reqArray(o, "version-log", what).map((e) => {
      const entry = asObject(e, "version-log entry");
      return {
        versionId: reqInt(entry, "version-id", "version-log entry"),
        timestampMs: reqSafeLong(entry, "timestamp-ms", "version-log entry"),
      };
    }),
    properties: optStringMap(o, "properties", what) ?? {},
  };
  validateViewMetadata(m);
  return m;
}

/** The current version exists and every version's schema does; ids are unique. */
export function validateViewMetadata(m: ViewMetadata): void {
  const versionIds = new Set<number>();
  for (const v of m.versions) {
    if (versionIds.has(v.versionId))
      throw badRequest(`Invalid view metadata: duplicate version id ${v.versionId}`);
    versionIds.add(v.versionId);
  }
  const schemaIds = new Set(m.schemas.map((s) => s.schemaId));
  if (schemaIds.size !== m.schemas.length) throw badRequest("Invalid view metadata: duplicate schema ids");
  if (!versionIds.has(m.currentVersionId))
    throw badRequest(
      `Invalid view metadata: current-version-id ${m.currentVersionId} is not among the versions`,
    );
  for (const v of m.versions)
    if (!schemaIds.has(v.schemaId))
      throw badRequest(`Invalid view metadata: version ${v.versionId} uses unknown schema ${v.schemaId}`);
}

export function viewMetadataToJson(m: ViewMetadata): JsonObject {
  return {
    "view-uuid": m.viewUuid,
    "format-version": m.formatVersion,
    location: m.location,
    properties: { ...m.properties },
    schemas: m.schemas.map(schemaToJson),
    "current-version-id": m.currentVersionId,
    versions: m.versions.map(viewVersionToJson),
    "version-log": m.versionLog.map((e) => ({ "version-id": e.versionId, "timestamp-ms": e.timestampMs })),
  };
}

export function currentViewVersion(m: ViewMetadata): ViewVersion {
  const v = m.versions.find((x) => x.versionId === m.currentVersionId);
  if (!v) throw badRequest(`View metadata has no version ${m.currentVersionId}`);
  return v;
}
