import { badRequest } from "../core/errors.ts";
import { asObject, type JsonObject, optArray, reqArray, reqInt, reqString, intList } from "./json-fields.ts";
import { type Schema, findField } from "./schema.ts";
import { canTransform, parseTransform, type Transform, transformToString } from "./transforms.ts";

/** Sort orders (spec "Sorting"): order id 0 is reserved for the unsorted order. */
export type SortDirection = "asc" | "desc";
export type NullOrder = "nulls-first" | "nulls-last";

export interface SortField {
  readonly sourceId: number;
  /** v3 multi-argument transforms only. */
  readonly sourceIds?: readonly number[];
  readonly transform: Transform;
  readonly direction: SortDirection;
  readonly nullOrder: NullOrder;
}

export interface SortOrder {
  readonly orderId: number;
  readonly fields: readonly SortField[];
}

export const UNSORTED_ORDER_ID = 0;
export const UNSORTED: SortOrder = { orderId: UNSORTED_ORDER_ID, fields: [] };

export function sortFieldFromJson(json: unknown): SortField {
  const o = asObject(json, "sort field");
  const what = "sort field";
  const transform = parseTransform(reqString(o, "transform", what));
  const direction = reqString(o, "direction", what);
  if (direction !== "asc" && direction !== "desc")
    throw badRequest(`Cannot parse sort field: "direction" must be "asc" or "desc", got "${direction}"`);
  const nullOrder = reqString(o, "null-order", what);
  if (nullOrder !== "nulls-first" && nullOrder !== "nulls-last")
    throw badRequest(
      `Cannot parse sort field: "null-order" must be "nulls-first" or "nulls-last", got "${nullOrder}"`,
    );
  const sourceIds = optArray(o, "source-ids", what) ? intList(o, "source-ids", what) : undefined;
  if (sourceIds && sourceIds.length > 1)
    return { sourceId: sourceIds[0] as number, sourceIds, transform, direction, nullOrder };
  const sourceId = sourceIds ? (sourceIds[0] ?? reqInt(o, "source-id", what)) : reqInt(o, "source-id", what);
  return { sourceId, transform, direction, nullOrder };
}

export function sortFieldToJson(f: SortField): JsonObject {
  const out: JsonObject = { transform: transformToString(f.transform) };
  if (f.sourceIds && f.sourceIds.length > 1) out["source-ids"] = [...f.sourceIds];
  else out["source-id"] = f.sourceId;
  out.direction = f.direction;
  out["null-order"] = f.nullOrder;
  return out;
}

export function sortOrderFromJson(json: unknown): SortOrder {
  const o = asObject(json, "sort order");
  return {
    orderId: reqInt(o, "order-id", "sort order"),
    fields: reqArray(o, "fields", "sort order").map(sortFieldFromJson),
  };
}

export function sortOrderToJson(s: SortOrder): JsonObject {
  return { "order-id": s.orderId, fields: s.fields.map(sortFieldToJson) };
}

/**
 * Checks a sort order: id 0 exactly for the unsorted order, sources that exist in the schema and
 * transforms that accept them.
 */
export function validateSortOrder(s: SortOrder, schema: Schema): void {
  if (s.orderId === UNSORTED_ORDER_ID && s.fields.length > 0)
    throw badRequest(`Invalid sort order: order id 0 is reserved for the unsorted order`);
  if (s.orderId !== UNSORTED_ORDER_ID && s.fields.length === 0)
    throw badRequest(`Invalid sort order ${s.orderId}: an unsorted order must have id 0`);
  for (const f of s.fields)
    for (const id of f.sourceIds ?? [f.sourceId]) {
      const source = findField(schema, id);
      if (!source)
        throw badRequest(
          `Invalid sort order ${s.orderId}: source field ${id} not found in schema ${schema.schemaId}`,
        );
      if (!canTransform(f.transform, source.type))
        throw badRequest(
          `Invalid sort order ${s.orderId}: transform ${transformToString(f.transform)} cannot be applied to ${source.name}`,
        );
    }
}

/** Same fields, whatever the order id. */
export function sameSortFields(a: SortOrder, b: SortOrder): boolean {
  const key = (s: SortOrder) => JSON.stringify(s.fields.map(sortFieldToJson));
  return key(a) === key(b);
}
