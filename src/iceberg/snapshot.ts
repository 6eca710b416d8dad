import { badRequest } from "../core/errors.ts";
import {
  asObject,
  type JsonObject,
  optArray,
  optInt,
  optLong,
  optSafeLong,
  optString,
  reqLong,
  reqSafeLong,
  reqString,
  stringList,
} from "./json-fields.ts";

/**
 * Snapshots (spec "Snapshots"): the state of a table at one commit, listed by a manifest list.
 * Snapshot ids are 64-bit and held as `bigint`; sequence numbers and times as `number`.
 */
export type Operation = "append" | "replace" | "overwrite" | "delete";
const OPERATIONS: readonly string[] = ["append", "replace", "overwrite", "delete"];

/** A snapshot summary: `operation` plus free-form string metrics (`added-data-files`, …). */
export type SnapshotSummary = { readonly operation: Operation } & Readonly<Record<string, string>>;

export interface Snapshot {
  readonly snapshotId: bigint;
  readonly parentSnapshotId?: bigint;
  /** 0 for snapshots of v1 tables. */
  readonly sequenceNumber: number;
  readonly timestampMs: number;
  /** Required from v2; v1 snapshots may list `manifests` instead. */
  readonly manifestList?: string;
  /** v1 only: manifests listed inline. */
  readonly manifests?: readonly string[];
  /** Required from v2. */
  readonly summary?: SnapshotSummary;
  readonly schemaId?: number;
  /** v3 row lineage. */
  readonly firstRowId?: bigint;
  readonly addedRows?: bigint;
  /** v3 encryption: the id of the key that encrypts the manifest list. */
  readonly keyId?: string;
}

export function summaryFromJson(json: unknown, what = "snapshot summary"): SnapshotSummary {
  const o = asObject(json, what);
  const operation = o.operation;
  if (typeof operation !== "string" || !OPERATIONS.includes(operation))
    throw badRequest(
      `Cannot parse ${what}: "operation" must be one of ${OPERATIONS.join(", ")}, got ${JSON.stringify(operation) ?? "nothing"}`,
    );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== "string") throw badRequest(`Cannot parse ${what}: "${k}" must be a string`);
    out[k] = v;
  }
  return out as SnapshotSummary;
}

/**
 * Reads a snapshot. Like Java, `sequence-number` (default 0) and `summary` are read when present in
 * any format version, so a table upgraded from v1 keeps its old snapshots readable; either
 * `manifest-list` or v1's inline `manifests` must be there.
 */
export function snapshotFromJson(json: unknown): Snapshot {
  const o = asObject(json, "snapshot");
  const snapshotId = reqLong(o, "snapshot-id", "snapshot");
  const what = `snapshot ${snapshotId}`;
  const out: { -readonly [K in keyof Snapshot]: Snapshot[K] } = {
    snapshotId,
    sequenceNumber: optSafeLong(o, "sequence-number", what) ?? 0,
    timestampMs: reqSafeLong(o, "timestamp-ms", what),
  };
  const parent = optLong(o, "parent-snapshot-id", what);
  if (parent !== undefined) out.parentSnapshotId = parent;
  const manifestList = optString(o, "manifest-list", what);
  if (manifestList !== undefined) out.manifestList = manifestList;
  if (optArray(o, "manifests", what)) out.manifests = stringList(o, "manifests", what);
  if (out.manifestList === undefined && out.manifests === undefined)
    throw badRequest(`Cannot parse ${what}: missing "manifest-list"`);
  if (o.summary !== undefined && o.summary !== null)
    out.summary = summaryFromJson(o.summary, `${what} summary`);
  const schemaId = optInt(o, "schema-id", what);
  if (schemaId !== undefined) out.schemaId = schemaId;
  const firstRowId = optLong(o, "first-row-id", what);
  if (firstRowId !== undefined) out.firstRowId = firstRowId;
  const addedRows = optLong(o, "added-rows", what);
  if (addedRows !== undefined) out.addedRows = addedRows;
  const keyId = optString(o, "key-id", what);
  if (keyId !== undefined) out.keyId = keyId;
  return out;
}

export function snapshotToJson(s: Snapshot, formatVersion: number): JsonObject {
  const out: JsonObject = { "snapshot-id": s.snapshotId };
  if (s.parentSnapshotId !== undefined) out["parent-snapshot-id"] = s.parentSnapshotId;
  out["timestamp-ms"] = s.timestampMs;
  if (formatVersion >= 2) out["sequence-number"] = s.sequenceNumber;
  if (s.summary !== undefined) out.summary = { ...s.summary };
  if (s.manifestList !== undefined) out["manifest-list"] = s.manifestList;
  if (s.manifests !== undefined) out.manifests = [...s.manifests];
  if (s.schemaId !== undefined) out["schema-id"] = s.schemaId;
  if (s.firstRowId !== undefined) out["first-row-id"] = s.firstRowId;
  if (s.addedRows !== undefined) out["added-rows"] = s.addedRows;
  if (s.keyId !== undefined) out["key-id"] = s.keyId;
  return out;
}

/** A row of `snapshot-log`: when each snapshot became current. */
export interface SnapshotLogEntry {
  readonly snapshotId: bigint;
  readonly timestampMs: number;
}

/** A row of `metadata-log`: an earlier metadata file of the table. */
export interface MetadataLogEntry {
  readonly metadataFile: string;
  readonly timestampMs: number;
}

export function snapshotLogEntryFromJson(json: unknown): SnapshotLogEntry {
  const o = asObject(json, "snapshot-log entry");
  return {
    snapshotId: reqLong(o, "snapshot-id", "snapshot-log entry"),
    timestampMs: reqSafeLong(o, "timestamp-ms", "snapshot-log entry"),
  };
}

export function metadataLogEntryFromJson(json: unknown): MetadataLogEntry {
  const o = asObject(json, "metadata-log entry");
  return {
    metadataFile: reqString(o, "metadata-file", "metadata-log entry"),
    timestampMs: reqSafeLong(o, "timestamp-ms", "metadata-log entry"),
  };
}

export const snapshotLogEntryToJson = (e: SnapshotLogEntry): JsonObject => ({
  "snapshot-id": e.snapshotId,
  "timestamp-ms": e.timestampMs,
});

export const metadataLogEntryToJson = (e: MetadataLogEntry): JsonObject => ({
  "metadata-file": e.metadataFile,
  "timestamp-ms": e.timestampMs,
});
