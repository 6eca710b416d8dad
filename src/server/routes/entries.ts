import type { Entry } from "../../versioning/model.ts";
import { entryFilter } from "../cel-filters.ts";
import { effectiveReferenceJson, entryJson } from "../mappers.ts";
import { effectiveMax, pageThrough } from "../paging.ts";
import { queryBool, queryInt, queryString } from "../query.ts";
import { resolveForRead } from "../ref-resolution.ts";
import type { TreeMethods, TreeRequest } from "./context.ts";
import { keyRangeFromQuery } from "./key-range.ts";

/** GET /api/v2/trees/{ref}/entries: the keys of a tree, optionally with their contents. */
async function getEntries({ store, params, query }: TreeRequest): Promise<unknown> {
  const range = keyRangeFromQuery(query);
  const withContent = queryBool(query, "content");
  const filter = entryFilter(queryString(query, "filter"));
  const resolved = await resolveForRead(store, params[0] as string);
  const page = await pageThrough({
    fetch: (req) => store.entries(resolved.hash, { ...req, ...range }),
    map: (entry) => entry,
    keep: filter ? (e: Entry) => filter({ key: e.key, type: e.content.type }) : undefined,
    maxRecords: effectiveMax(queryInt(query, "max-records")),
    pageToken: queryString(query, "page-token"),
  });
  return {
    entries: page.items.map((e) => entryJson(e, withContent)),
    effectiveReference: effectiveReferenceJson(resolved),
    hasMore: page.hasMore,
    token: page.token ?? null,
  };
}

export const entriesRoutes: TreeMethods = { GET: getEntries };
