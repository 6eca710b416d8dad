import type { CreateTable } from "../../../catalog/tables.ts";
import type { TableChange } from "../../../catalog/commit-path.ts";
import type { CreateView } from "../../../catalog/views.ts";
import { asIllegalArgument } from "../../../catalog/errors.ts";
import { badRequest } from "../../../core/errors.ts";
import {
  asObject,
  type JsonObject,
  optArray,
  optString,
  optStringMap,
  reqArray,
  reqString,
  stringList,
} from "../../../iceberg/json-fields.ts";
import { tableRequirementsFromJson } from "../../../iceberg/requirements.ts";
import { schemaFromJson } from "../../../iceberg/schema.ts";
import { sortOrderFromJson } from "../../../iceberg/sort-order.ts";
import { tableUpdatesFromJson, unboundSpecFromJson } from "../../../iceberg/updates.ts";
import { viewVersionFromJson } from "../../../iceberg/view-metadata.ts";
import {
  type ViewRequirement,
  type ViewUpdate,
  viewRequirementFromJson,
  viewUpdateFromJson,
} from "../../../iceberg/view-updates.ts";
import type { ContentKey } from "../../../versioning/model.ts";

/** Request bodies of the Iceberg REST API, checked and typed; anything malformed is a 400 naming the field. */

function optBool(o: JsonObject, key: string, what: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw badRequest(`Cannot parse ${what}: "${key}" must be true or false`);
  return v;
}

function levels(json: unknown, what: string): string[] {
  if (!Array.isArray(json) || json.length === 0 || !json.every((e) => typeof e === "string" && e !== ""))
    throw badRequest(`Cannot parse ${what}: a namespace must be a non-empty list of non-empty strings`);
  return json as string[];
}

/** A TableIdentifier `{namespace: [...], name}` as a content key. */
export function identifierFromJson(json: unknown, what: string): ContentKey {
  const o = asObject(json, what);
  const name = reqString(o, "name", what);
  if (name === "") throw badRequest(`Cannot parse ${what}: "name" must not be empty`);
  return [...levels(o.namespace, what), name];
}

export function createNamespaceBody(body: unknown): {
  namespace: string[];
  properties: Record<string, string>;
} {
  const o = asObject(body, "create namespace request");
  return {
    namespace: levels(o.namespace, "create namespace request"),
    properties: optStringMap(o, "properties", "create namespace request") ?? {},
  };
}

export function updatePropertiesBody(body: unknown): {
  removals: string[];
  updates: Record<string, string>;
} {
  const what = "update namespace properties request";
  const o = asObject(body, what);
  return {
    removals: o.removals === undefined || o.removals === null ? [] : stringList(o, "removals", what),
    updates: optStringMap(o, "updates", what) ?? {},
  };
}

export function createTableBody(body: unknown): { name: string; stage: boolean; request: CreateTable } {
  const what = "create table request";
  const o = asObject(body, what);
  const name = reqString(o, "name", what);
  if (name === "") throw badRequest(`Cannot parse ${what}: "name" must not be empty`);
  if (o.schema === undefined) throw badRequest(`Cannot parse ${what}: missing "schema"`);
  const location = optString(o, "location", what);
  const properties = optStringMap(o, "properties", what);
  const request: CreateTable = {
    schema: schemaFromJson(o.schema),
    ...(o["partition-spec"] != null
      ? { spec: unboundSpecFromJson(o["partition-spec"], "partition-spec") }
      : {}),
    ...(o["write-order"] != null ? { sortOrder: sortOrderFromJson(o["write-order"]) } : {}),
    ...(location !== undefined ? { location } : {}),
    ...(properties !== undefined ? { properties } : {}),
  };
  return { name, stage: optBool(o, "stage-create", what), request };
}

export function commitTableBody(body: unknown): Omit<TableChange, "key"> & { identifier?: ContentKey } {
  const what = "commit table request";
  const o = asObject(body, what);
  return {
    ...(o.identifier != null ? { identifier: identifierFromJson(o.identifier, `${what} identifier`) } : {}),
    requirements: tableRequirementsFromJson(o.requirements ?? []),
    updates: tableUpdatesFromJson(o.updates ?? []),
  };
}

export function transactionBody(body: unknown): TableChange[] {
  const what = "commit transaction request";
  const o = asObject(body, what);
  const changes = reqArray(o, "table-changes", what);
  if (changes.length === 0) throw badRequest(`Cannot parse ${what}: "table-changes" must not be empty`);
  return changes.map((c, i) => {
    const change = commitTableBody(c);
    if (!change.identifier)
      throw badRequest(`Cannot parse ${what}: table-changes[${i}] needs an "identifier"`);
    return { key: change.identifier, requirements: change.requirements, updates: change.updates };
  });
}

export function renameBody(body: unknown): { from: ContentKey; to: ContentKey } {
  const o = asObject(body, "rename request");
  return {
    from: identifierFromJson(o.source, "rename request source"),
    to: identifierFromJson(o.destination, "rename request destination"),
  };
}

export function registerBody(
  body: unknown,
  what = "register table request",
): { name: string; metadataLocation: string; overwrite: boolean } {
  const o = asObject(body, what);
  const name = reqString(o, "name", what);
  const metadataLocation = reqString(o, "metadata-location", what);
  if (name === "" || metadataLocation === "")
    throw badRequest(`Cannot parse ${what}: "name" and "metadata-location" must not be empty`);
  return { name, metadataLocation, overwrite: optBool(o, "overwrite", what) };
}

export function createViewBody(body: unknown): { name: string; request: CreateView } {
  const what = "create view request";
  const o = asObject(body, what);
  const name = reqString(o, "name", what);
  if (name === "") throw badRequest(`Cannot parse ${what}: "name" must not be empty`);
  if (o.schema === undefined) throw badRequest(`Cannot parse ${what}: missing "schema"`);
  if (o["view-version"] === undefined) throw badRequest(`Cannot parse ${what}: missing "view-version"`);
  const location = optString(o, "location", what);
  return {
    name,
    request: {
      schema: schemaFromJson(o.schema),
      viewVersion: asIllegalArgument(() => viewVersionFromJson(o["view-version"])),
      properties: optStringMap(o, "properties", what) ?? {},
      ...(location !== undefined ? { location } : {}),
    },
  };
}

export function replaceViewBody(body: unknown): {
  requirements: ViewRequirement[];
  updates: ViewUpdate[];
} {
  const what = "replace view request";
  const o = asObject(body, what);
  return {
    requirements: (optArray(o, "requirements", what) ?? []).map(viewRequirementFromJson),
    updates: (optArray(o, "updates", what) ?? []).map(viewUpdateFromJson),
  };
}

/** A metrics report (`ScanReport` / `CommitReport`): only its shape is checked. */
export function metricsReportBody(body: unknown): string {
  const what = "report metrics request";
  const o = asObject(body, what);
  return reqString(o, "report-type", what);
}
