import { badRequest } from "../../core/errors.ts";
import type { KeyRange } from "../../versioning/model.ts";
import { queryKey, queryKeys, type Query } from "../query.ts";

/** `key` (repeatable), `min-key`, `max-key`, `prefix-key` of entries and diff. */
export function keyRangeFromQuery(query: Query): KeyRange {
  const keys = queryKeys(query, "key");
  const minKey = queryKey(query, "min-key");
  const maxKey = queryKey(query, "max-key");
  const prefixKey = queryKey(query, "prefix-key");
  if (prefixKey && (minKey || maxKey)) {
    throw badRequest("'prefix-key' cannot be combined with 'min-key' or 'max-key'");
  }
  return {
    ...(keys.length > 0 ? { keys } : {}),
    ...(minKey ? { minKey } : {}),
    ...(maxKey ? { maxKey } : {}),
    ...(prefixKey ? { prefixKey } : {}),
  };
}
