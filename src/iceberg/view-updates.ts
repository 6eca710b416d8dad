import { randomUUID } from "node:crypto";
import { badRequest, FloeError } from "../core/errors.ts";
import { asObject, describeJson, type JsonObject, reqInt, reqString } from "./json-fields.ts";
import { sameSchemaStructure } from "./schema.ts";
import { tableUpdateFromJson, tableUpdateToJson, type TableUpdate, unreachable } from "./updates.ts";
import {
  validateViewMetadata,
  type ViewMetadata,
  type ViewVersion,
  viewVersionFromJson,
  viewVersionToJson,
} from "./view-metadata.ts";

/**
 * The REST catalog's `ViewUpdate`s (8 actions: six shared with tables, `add-view-version` and
 * `set-current-view-version`) and its one `ViewRequirement` (`assert-view-uuid`), applied as Java's
 * `ViewMetadata.Builder` does.
 */
type SharedAction =
  | "assign-uuid"
  | "upgrade-format-version"
  | "add-schema"
  | "set-location"
  | "set-properties"
  | "remove-properties";

export type ViewUpdate =
  | Extract<TableUpdate, { action: SharedAction }>
  | { readonly action: "add-view-version"; readonly viewVersion: ViewVersion }
  /** `-1` means the version added last in this commit. */
  | { readonly action: "set-current-view-version"; readonly viewVersionId: number };

export type ViewRequirement = { readonly type: "assert-view-uuid"; readonly uuid: string };

const SHARED: readonly string[] = [
  "assign-uuid",
  "upgrade-format-version",
  "add-schema",
  "set-location",
  "set-properties",
  "remove-properties",
];

export const VIEW_UPDATE_ACTIONS: readonly ViewUpdate["action"][] = [
  "assign-uuid",
  "upgrade-format-version",
  "add-schema",
  "set-location",
  "set-properties",
  "remove-properties",
  "add-view-version",
  "set-current-view-version",
];

export function viewUpdateFromJson(json: unknown): ViewUpdate {
  const o = asObject(json, "view update");
  if (typeof o.action === "string" && SHARED.includes(o.action)) return tableUpdateFromJson(o) as ViewUpdate;
  if (o.action === "add-view-version") {
    if (o["view-version"] === undefined)
      throw badRequest(`Cannot parse update add-view-version: missing "view-version"`);
    return { action: "add-view-version", viewVersion: viewVersionFromJson(o["view-version"]) };
  }
  if (o.action === "set-current-view-version")
    return {
      action: "set-current-view-version",
      viewVersionId: reqInt(o, "view-version-id", "update set-current-view-version"),
    };
  throw badRequest(
    `Cannot parse view update: unknown action ${describeJson(o.action)}; expected one of ${VIEW_UPDATE_ACTIONS.join(", ")}`,
  );
}

export function viewUpdateToJson(u: ViewUpdate): JsonObject {
  if (u.action === "add-view-version")
    return { action: u.action, "view-version": viewVersionToJson(u.viewVersion) };
  if (u.action === "set-current-view-version")
    return { action: u.action, "view-version-id": u.viewVersionId };
  return tableUpdateToJson(u);
}

export function viewRequirementFromJson(json: unknown): ViewRequirement {
  const o = asObject(json, "view requirement");
  if (o.type !== "assert-view-uuid")
    throw badRequest(
      `Cannot parse view requirement: unknown type ${describeJson(o.type)}; expected assert-view-uuid`,
    );
  return { type: "assert-view-uuid", uuid: reqString(o, "uuid", "requirement assert-view-uuid") };
}

/** Throws COMMIT_CONFLICT (409) when a requirement does not hold. */
export function checkViewRequirements(
  m: ViewMetadata | undefined,
  requirements: readonly ViewRequirement[],
): void {
  for (const r of requirements) {
    if (m === undefined)
      throw new FloeError("COMMIT_CONFLICT", `Requirement failed: ${r.type}: the view does not exist`);
    if (m.viewUuid.toLowerCase() !== r.uuid.toLowerCase())
      throw new FloeError(
        "COMMIT_CONFLICT",
        `Requirement failed: view UUID does not match: expected ${r.uuid}, found ${m.viewUuid} (assert-view-uuid)`,
      );
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Builder {
  m: Mutable<ViewMetadata>;
  lastAddedSchemaId?: number;
  lastAddedVersionId?: number;
  readonly addedVersionIds: Set<number>;
  readonly now: number;
}

/** Versions are the same when everything but id, time and summary is (Java's `sameViewVersion`). */
function sameVersion(a: ViewVersion, b: ViewVersion): boolean {
  const key = (v: ViewVersion) =>
    JSON.stringify([v.schemaId, v.defaultCatalog ?? null, v.defaultNamespace, v.representations]);
  return key(a) === key(b);
}

/** Applies view updates; `base` undefined creates a view (location, schema and a current version required). */
export function applyViewUpdates(
  base: ViewMetadata | undefined,
  updates: readonly ViewUpdate[],
  options: { readonly nowMs?: number; readonly newViewUuid?: string } = {},
): ViewMetadata {
  const empty: ViewMetadata = {
    viewUuid: "",
    formatVersion: 1,
    location: "",
    schemas: [],
    currentVersionId: -1,
    versions: [],
    versionLog: [],
    properties: {},
  };
  const b: Builder = {
    m: { ...(base ?? empty) },
    addedVersionIds: new Set(),
    now: options.nowMs ?? Date.now(),
  };
  for (const u of updates) applyViewUpdate(b, u);
  if (base === undefined) {
    if (b.m.viewUuid === "") b.m.viewUuid = options.newViewUuid ?? randomUUID();
    if (b.m.location === "")
      throw badRequest("Cannot create a view without a location: missing set-location");
    if (b.m.currentVersionId === -1) throw badRequest("Cannot create a view without a current version");
  }
  validateViewMetadata(b.m);
  return b.m;
}

function applyViewUpdate(b: Builder, u: ViewUpdate): void {
  const m = b.m;
  switch (u.action) {
    case "assign-uuid":
      if (m.viewUuid !== "" && m.viewUuid.toLowerCase() !== u.uuid.toLowerCase())
        throw badRequest(`Cannot reassign the view UUID ${m.viewUuid} to ${u.uuid}`);
      m.viewUuid = u.uuid;
      return;
    case "upgrade-format-version":
      if (u.formatVersion !== 1)
        throw badRequest(`Cannot upgrade view to unsupported format version v${u.formatVersion}`);
      return;
    case "add-schema": {
      const existing = m.schemas.find((s) => sameSchemaStructure(s, u.schema));
      if (existing) {
        b.lastAddedSchemaId = existing.schemaId;
        return;
      }
      const schemaId = m.schemas.reduce((max, s) => Math.max(max, s.schemaId + 1), 0);
      m.schemas = [...m.schemas, { ...u.schema, schemaId }];
      b.lastAddedSchemaId = schemaId;
      return;
    }
    case "set-location":
      if (u.location === "") throw badRequest("Cannot set the view location to an empty string");
      m.location = u.location;
      return;
    case "set-properties":
      m.properties = { ...m.properties, ...u.updates };
      return;
    case "remove-properties": {
      const props = { ...m.properties };
      for (const key of u.removals) delete props[key];
      m.properties = props;
      return;
    }
    case "add-view-version": {
      let version = u.viewVersion;
      if (version.schemaId === -1) {
        if (b.lastAddedSchemaId === undefined)
          throw badRequest("Cannot add a view version with schema-id -1: no schema was added");
        version = { ...version, schemaId: b.lastAddedSchemaId };
      }
      if (!m.schemas.some((s) => s.schemaId === version.schemaId))
        throw badRequest(`Cannot add view version: unknown schema ${version.schemaId}`);
      const existing = m.versions.find((v) => sameVersion(v, version));
      if (existing) {
        b.lastAddedVersionId = existing.versionId;
        return;
      }
      const versionId = m.versions.reduce((max, v) => Math.max(max, v.versionId + 1), 1);
      m.versions = [...m.versions, { ...version, versionId }];
      b.lastAddedVersionId = versionId;
      b.addedVersionIds.add(versionId);
      return;
    }
    case "set-current-view-version": {
      let id = u.viewVersionId;
      if (id === -1) {
        if (b.lastAddedVersionId === undefined)
          throw badRequest("Cannot set the last added view version: no view version was added");
        id = b.lastAddedVersionId;
      }
      const version = m.versions.find((v) => v.versionId === id);
      if (!version) throw badRequest(`Cannot set current view version to unknown version ${id}`);
      if (m.currentVersionId === id) return;
      m.currentVersionId = id;
      const timestampMs = b.addedVersionIds.has(id) ? version.timestampMs : b.now;
      m.versionLog = [...m.versionLog, { versionId: id, timestampMs }];
      return;
    }
    default:
      return unreachable(u);
  }
}
