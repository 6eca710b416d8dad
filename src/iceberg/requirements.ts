import { badRequest, FloeError } from "../core/errors.ts";
import { asObject, describeJson, type JsonObject, reqInt, reqLong, reqString } from "./json-fields.ts";
import type { TableMetadata } from "./table-metadata.ts";
import { unreachable } from "./updates.ts";

/**
 * The REST catalog's `TableRequirement`s (8 types) as a discriminated union keeping the wire names
 * in `type`. A commit applies its updates only if every requirement holds against the table as it
 * is now; a failed one is a COMMIT_CONFLICT (409), which Iceberg clients answer by refreshing and
 * retrying.
 */
export type TableRequirement =
  | { readonly type: "assert-create" }
  | { readonly type: "assert-table-uuid"; readonly uuid: string }
  /** `snapshotId: null` asserts that the ref does not exist. */
  | { readonly type: "assert-ref-snapshot-id"; readonly ref: string; readonly snapshotId: bigint | null }
  | { readonly type: "assert-last-assigned-field-id"; readonly lastAssignedFieldId: number }
  | { readonly type: "assert-current-schema-id"; readonly currentSchemaId: number }
  | { readonly type: "assert-last-assigned-partition-id"; readonly lastAssignedPartitionId: number }
  | { readonly type: "assert-default-spec-id"; readonly defaultSpecId: number }
  | { readonly type: "assert-default-sort-order-id"; readonly defaultSortOrderId: number };

export type TableRequirementType = TableRequirement["type"];

export const TABLE_REQUIREMENT_TYPES: readonly TableRequirementType[] = [
  "assert-create",
  "assert-table-uuid",
  "assert-ref-snapshot-id",
  "assert-last-assigned-field-id",
  "assert-current-schema-id",
  "assert-last-assigned-partition-id",
  "assert-default-spec-id",
  "assert-default-sort-order-id",
];

/** Reads one requirement; throws BAD_REQUEST naming the type and the field that is wrong. */
export function tableRequirementFromJson(json: unknown): TableRequirement {
  const o = asObject(json, "table requirement");
  const type = o.type;
  if (typeof type !== "string" || !(TABLE_REQUIREMENT_TYPES as readonly string[]).includes(type))
    throw badRequest(
      `Cannot parse table requirement: unknown type ${describeJson(type)}; expected one of ${TABLE_REQUIREMENT_TYPES.join(", ")}`,
    );
  const t = type as TableRequirementType;
  const what = `requirement ${t}`;
  switch (t) {
    case "assert-create":
      return { type: t };
    case "assert-table-uuid":
      return { type: t, uuid: reqString(o, "uuid", what) };
    case "assert-ref-snapshot-id": {
      // `snapshot-id` is required but may be null ("the ref must not exist").
      if (!("snapshot-id" in o)) throw badRequest(`Cannot parse ${what}: missing "snapshot-id"`);
      const snapshotId = o["snapshot-id"] === null ? null : reqLong(o, "snapshot-id", what);
      return { type: t, ref: reqString(o, "ref", what), snapshotId };
    }
    case "assert-last-assigned-field-id":
      return { type: t, lastAssignedFieldId: reqInt(o, "last-assigned-field-id", what) };
    case "assert-current-schema-id":
      return { type: t, currentSchemaId: reqInt(o, "current-schema-id", what) };
    case "assert-last-assigned-partition-id":
      return { type: t, lastAssignedPartitionId: reqInt(o, "last-assigned-partition-id", what) };
    case "assert-default-spec-id":
      return { type: t, defaultSpecId: reqInt(o, "default-spec-id", what) };
    case "assert-default-sort-order-id":
      return { type: t, defaultSortOrderId: reqInt(o, "default-sort-order-id", what) };
    default:
      return unreachable(t);
  }
}

export function tableRequirementsFromJson(json: unknown): TableRequirement[] {
  if (!Array.isArray(json))
    throw badRequest(`Cannot parse table requirements: expected a list, got ${describeJson(json)}`);
  return json.map(tableRequirementFromJson);
}

export function tableRequirementToJson(r: TableRequirement): JsonObject {
  switch (r.type) {
    case "assert-create":
      return { type: r.type };
    case "assert-table-uuid":
      return { type: r.type, uuid: r.uuid };
    case "assert-ref-snapshot-id":
      return { type: r.type, ref: r.ref, "snapshot-id": r.snapshotId };
    case "assert-last-assigned-field-id":
      return { type: r.type, "last-assigned-field-id": r.lastAssignedFieldId };
    case "assert-current-schema-id":
      return { type: r.type, "current-schema-id": r.currentSchemaId };
    case "assert-last-assigned-partition-id":
      return { type: r.type, "last-assigned-partition-id": r.lastAssignedPartitionId };
    case "assert-default-spec-id":
      return { type: r.type, "default-spec-id": r.defaultSpecId };
    case "assert-default-sort-order-id":
      return { type: r.type, "default-sort-order-id": r.defaultSortOrderId };
    default:
      return unreachable(r);
  }
}

const conflict = (message: string): FloeError =>
  new FloeError("COMMIT_CONFLICT", `Requirement failed: ${message}`);

/**
 * Checks every requirement against the table's current metadata (`undefined` when the table does
 * not exist); throws COMMIT_CONFLICT saying which requirement failed, what it expected and what the
 * table holds. The messages start as Iceberg's reference catalog words them ("Requirement failed:
 * current schema changed: …"): Iceberg's REST Compatibility Kit and some clients match on them.
 */
export function checkRequirements(
  metadata: TableMetadata | undefined,
  requirements: readonly TableRequirement[],
): void {
  for (const r of requirements) checkRequirement(metadata, r);
}

function checkRequirement(m: TableMetadata | undefined, r: TableRequirement): void {
  if (r.type === "assert-create") {
    if (m !== undefined) throw conflict("table already exists (assert-create)");
    return;
  }
  if (m === undefined) throw conflict(`table does not exist (${r.type})`);
  const mismatch = (what: string, expected: unknown, actual: unknown): void => {
    if (expected !== actual)
      throw conflict(`${what} changed: expected id ${String(expected)}, found ${String(actual)} (${r.type})`);
  };
  switch (r.type) {
    case "assert-table-uuid":
      if (m.tableUuid?.toLowerCase() !== r.uuid.toLowerCase())
        throw conflict(
          `UUID does not match: expected ${r.uuid}, found ${m.tableUuid ?? "none"} (assert-table-uuid)`,
        );
      return;
    case "assert-ref-snapshot-id": {
      const ref = m.refs[r.ref];
      if (r.snapshotId === null) {
        if (ref)
          throw conflict(
            `${ref.type} ${r.ref} was created concurrently (now at snapshot ${ref.snapshotId}) (assert-ref-snapshot-id)`,
          );
        return;
      }
      if (!ref)
        throw conflict(
          `branch or tag ${r.ref} is missing, expected snapshot ${r.snapshotId} (assert-ref-snapshot-id)`,
        );
      if (ref.snapshotId !== r.snapshotId)
        throw conflict(
          `${ref.type} ${r.ref} has changed: expected snapshot ${r.snapshotId}, found ${ref.snapshotId} (assert-ref-snapshot-id)`,
        );
      return;
    }
    case "assert-last-assigned-field-id":
      return mismatch("last assigned field id", r.lastAssignedFieldId, m.lastColumnId);
    case "assert-current-schema-id":
      return mismatch("current schema", r.currentSchemaId, m.currentSchemaId);
    case "assert-last-assigned-partition-id":
      return mismatch("last assigned partition id", r.lastAssignedPartitionId, m.lastPartitionId);
    case "assert-default-spec-id":
      return mismatch("default partition spec", r.defaultSpecId, m.defaultSpecId);
    case "assert-default-sort-order-id":
      return mismatch("default sort order", r.defaultSortOrderId, m.defaultSortOrderId);
    default:
      return unreachable(r);
  }
}
