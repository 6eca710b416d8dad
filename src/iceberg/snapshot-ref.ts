import { badRequest } from "../core/errors.ts";
import { asObject, type JsonObject, optInt, optSafeLong, reqLong, reqString } from "./json-fields.ts";

/**
 * Named references to snapshots (spec "Snapshot References"): branches, which move and carry
 * retention for their ancestors, and tags, which are fixed and carry only their own max age.
 */
export interface SnapshotRef {
  readonly snapshotId: bigint;
  readonly type: "branch" | "tag";
  /** Branches only. */
  readonly minSnapshotsToKeep?: number;
  /** Branches only. */
  readonly maxSnapshotAgeMs?: number;
  readonly maxRefAgeMs?: number;
}

export const MAIN_BRANCH = "main";

/** Reads a ref; `what` names it in errors (`ref main`). Retention values must be positive. */
export function snapshotRefFromJson(json: unknown, what = "snapshot ref"): SnapshotRef {
  const o = asObject(json, what);
  const snapshotId = reqLong(o, "snapshot-id", what);
  const type = reqString(o, "type", what).toLowerCase();
  if (type !== "branch" && type !== "tag")
    throw badRequest(`Cannot parse ${what}: "type" must be "branch" or "tag", got "${type}"`);
  const out: { -readonly [K in keyof SnapshotRef]: SnapshotRef[K] } = { snapshotId, type };
  const min = optInt(o, "min-snapshots-to-keep", what);
  const maxSnapshotAge = optSafeLong(o, "max-snapshot-age-ms", what);
  const maxRefAge = optSafeLong(o, "max-ref-age-ms", what);
  if (type === "tag" && (min !== undefined || maxSnapshotAge !== undefined))
    throw badRequest(`Cannot parse ${what}: a tag has no min-snapshots-to-keep or max-snapshot-age-ms`);
  for (const [key, v] of [
    ["min-snapshots-to-keep", min],
    ["max-snapshot-age-ms", maxSnapshotAge],
    ["max-ref-age-ms", maxRefAge],
  ] as const)
    if (v !== undefined && v <= 0)
      throw badRequest(`Cannot parse ${what}: "${key}" must be positive, got ${v}`);
  if (min !== undefined) out.minSnapshotsToKeep = min;
  if (maxSnapshotAge !== undefined) out.maxSnapshotAgeMs = maxSnapshotAge;
  if (maxRefAge !== undefined) out.maxRefAgeMs = maxRefAge;
  return out;
}

export function snapshotRefToJson(r: SnapshotRef): JsonObject {
  const out: JsonObject = { "snapshot-id": r.snapshotId, type: r.type };
  if (r.minSnapshotsToKeep !== undefined) out["min-snapshots-to-keep"] = r.minSnapshotsToKeep;
  if (r.maxSnapshotAgeMs !== undefined) out["max-snapshot-age-ms"] = r.maxSnapshotAgeMs;
  if (r.maxRefAgeMs !== undefined) out["max-ref-age-ms"] = r.maxRefAgeMs;
  return out;
}
