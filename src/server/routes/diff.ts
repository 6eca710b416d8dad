import type { DiffEntry } from "../../versioning/model.ts";
import { diffFilter } from "../cel-filters.ts";
import { diffJson, effectiveReferenceJson } from "../mappers.ts";
import { effectiveMax, pageThrough } from "../paging.ts";
import { queryInt, queryString } from "../query.ts";
import { resolveForRead } from "../ref-resolution.ts";
import type { TreeMethods, TreeRequest } from "./context.ts";
import { keyRangeFromQuery } from "./key-range.ts";

/** GET /api/v2/trees/{from-ref}/diff/{to-ref}: keys whose content differs, in key order. */
async function getDiff({ store, params, query }: TreeRequest): Promise<unknown> {
  const range = keyRangeFromQuery(query);
  const filter = diffFilter(queryString(query, "filter"));
  const from = await resolveForRead(store, params[0] as string);
  const to = await resolveForRead(store, params[1] as string);
  const page = await pageThrough({
    fetch: (req) => store.diff(from.hash, to.hash, { ...req, ...range }),
    map: (d) => d,
    keep: filter ? (d: DiffEntry) => filter(d.key) : undefined,
    maxRecords: effectiveMax(queryInt(query, "max-records")),
    pageToken: queryString(query, "page-token"),
  });
  return {
    diffs: page.items.map(diffJson),
    effectiveFromReference: effectiveReferenceJson(from),
    effectiveToReference: effectiveReferenceJson(to),
    hasMore: page.hasMore,
    token: page.token ?? null,
  };
}

export const diffRoutes: TreeMethods = { GET: getDiff };
