import { badRequest } from "../../core/errors.ts";
import type { PartitionField } from "../../iceberg/partition-spec.ts";
import type { TableRequirement } from "../../iceberg/requirements.ts";
import { findFieldByName, type Schema } from "../../iceberg/schema.ts";
import type { SortField } from "../../iceberg/sort-order.ts";
import { currentSchema, type TableMetadata } from "../../iceberg/table-metadata.ts";
import {
  parseTransform,
  type Transform,
  transformsEqual,
  transformToString,
} from "../../iceberg/transforms.ts";
import type { TableUpdate, UnboundPartitionField } from "../../iceberg/updates.ts";
import type { AlterAction, PartitionDef } from "./statements.ts";

/** The ALTER TABLE actions that change a table's partition spec or write order. */
export type SpecAction = Extract<
  AlterAction,
  { action: "add-partition-field" | "drop-partition-field" | "replace-partition-field" | "write-order" }
>;

const SPEC_ACTIONS = new Set([
  "add-partition-field",
  "drop-partition-field",
  "replace-partition-field",
  "write-order",
]);
export const isSpecAction = (a: AlterAction): a is SpecAction => SPEC_ACTIONS.has(a.action);

const TIME = new Set(["year", "month", "day", "hour"]);

/**
 * Partition-spec evolution and write order as Java's `UpdatePartitionSpec` / `ReplaceSortOrder`
 * make them, as the updates and requirements of one commit: a new default spec (a v2 table drops
 * removed fields; a v1 table keeps them as `void`, its field ids being positional), or a new default
 * sort order and Spark's `write.distribution-mode`. New fields are named as Java names them
 * (`id_bucket_16`, `s_trunc_4`, `ts_day`, the column for identity) unless `AS name` is given.
 * Existing data files keep their spec; new writes use the new one.
 */
export function specChange(
  m: TableMetadata,
  a: SpecAction,
  table: string,
): { updates: TableUpdate[]; requirements: TableRequirement[] } {
  const schema = currentSchema(m);
  const requirements: TableRequirement[] = [
    ...(m.tableUuid === undefined ? [] : [{ type: "assert-table-uuid" as const, uuid: m.tableUuid }]),
    { type: "assert-current-schema-id", currentSchemaId: m.currentSchemaId },
  ];
  if (a.action === "write-order") {
    const updates: TableUpdate[] = [];
    if (a.order) {
      const fields: SortField[] = a.order.map((t) => ({
        sourceId: source(schema, t, table).id,
        transform: parseTransform(t.transform),
        direction: t.direction,
        nullOrder: t.nullOrder,
      }));
      updates.push(
        { action: "add-sort-order", sortOrder: { orderId: 0, fields } },
        { action: "set-default-sort-order", sortOrderId: -1 },
      );
      requirements.push({ type: "assert-default-sort-order-id", defaultSortOrderId: m.defaultSortOrderId });
    }
    updates.push({ action: "set-properties", updates: { "write.distribution-mode": a.distribution } });
    return { updates, requirements };
  }
  const spec = m.partitionSpecs.find((s) => s.specId === m.defaultSpecId);
  if (!spec) throw new Error(`table ${table} has no default spec ${m.defaultSpecId}`);
  let fields: UnboundPartitionField[] = [...spec.fields];
  if (a.action === "drop-partition-field" || a.action === "replace-partition-field") {
    const drop = existing(schema, spec.fields, a.field, table);
    fields = fields.flatMap((f) =>
      f !== drop ? [f] : m.formatVersion === 1 ? [{ ...f, transform: { kind: "void" } as Transform }] : [],
    );
  }
  if (a.action === "add-partition-field" || a.action === "replace-partition-field") {
    const term = a.action === "add-partition-field" ? a.field : a.by;
    const column = source(schema, term, table);
    const transform = parseTransform(term.transform);
    const live = fields.filter((f) => f.transform.kind !== "void");
    if (live.some((f) => f.sourceId === column.id && transformsEqual(f.transform, transform)))
      throw badRequest(
        `Cannot add partition field ${describe(term)} to ${table}: it is already a partition field`,
      );
    const clash = live.find((f) => f.sourceId === column.id && TIME.has(f.transform.kind));
    if (clash && TIME.has(transform.kind))
      throw badRequest(
        `Cannot add partition field ${describe(term)} to ${table}: redundant with partition field ${clash.name}`,
      );
    const name = a.name ?? defaultName(column.name, transform);
    // A v1 void field keeps its name unless the new field takes it.
    fields = fields.map((f) =>
      f.name === name && f.transform.kind === "void" ? { ...f, name: `${f.name}_${f.fieldId ?? ""}` } : f,
    );
    if (fields.some((f) => f.name === name))
      throw badRequest(`Cannot add partition field ${name} to ${table}: a partition field has that name`);
    fields.push({ sourceId: column.id, name, transform });
  }
  // v1 field ids are positional: applyUpdates assigns them.
  if (m.formatVersion === 1) fields = fields.map(({ fieldId: _id, ...f }) => f);
  return {
    updates: [
      { action: "add-spec", spec: { fields } },
      { action: "set-default-spec", specId: -1 },
    ],
    requirements: [
      ...requirements,
      { type: "assert-default-spec-id", defaultSpecId: m.defaultSpecId },
      { type: "assert-last-assigned-partition-id", lastAssignedPartitionId: m.lastPartitionId },
    ],
  };
}

function source(schema: Schema, term: PartitionDef, table: string) {
  const f = findFieldByName(schema, term.column, false);
  if (!f) throw badRequest(`Cannot use ${describe(term)} on ${table}: no column ${term.column}`);
  return f;
}

/** The partition field a DROP / REPLACE names: by its name, or by its source column and transform. */
function existing(
  schema: Schema,
  fields: readonly PartitionField[],
  term: PartitionDef,
  table: string,
): PartitionField {
  const live = fields.filter((f) => f.transform.kind !== "void");
  if (term.transform === "identity") {
    const byName = live.find((f) => f.name.toLowerCase() === term.column.toLowerCase());
    if (byName) return byName;
  }
  const column = findFieldByName(schema, term.column, false);
  const transform = parseTransform(term.transform);
  const found =
    column && live.find((f) => f.sourceId === column.id && transformsEqual(f.transform, transform));
  if (!found) throw badRequest(`Cannot find partition field ${describe(term)} in ${table}`);
  return found;
}

function defaultName(column: string, t: Transform): string {
  switch (t.kind) {
    case "identity":
      return column;
    case "bucket":
      return `${column}_bucket_${t.numBuckets}`;
    case "truncate":
      return `${column}_trunc_${t.width}`;
    case "void":
      return `${column}_null`;
    default:
      return `${column}_${t.kind === "unknown" ? t.name : t.kind}`;
  }
}

const describe = (p: PartitionDef): string => {
  const t = parseTransform(p.transform);
  return t.kind === "identity" ? p.column : `${transformToString(t)}(${p.column})`;
};
