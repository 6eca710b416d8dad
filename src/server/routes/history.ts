import type { LogEntry } from "../../versioning/model.ts";
import { logFilter } from "../cel-filters.ts";
import { logEntryJson } from "../mappers.ts";
import { effectiveMax, pageThrough } from "../paging.ts";
import { queryFetchAll, queryInt, queryString } from "../query.ts";
import { expandHash, resolveForRead } from "../ref-resolution.ts";
import { checkHashOrRelative } from "../request-bodies.ts";
import type { TreeMethods, TreeRequest } from "./context.ts";

/** Nessie's hard cap on commit-log entries per page (TreeService.MAX_COMMIT_LOG_ENTRIES). */
const MAX_LOG_ENTRIES = 250;

/** GET /api/v2/trees/{ref}/history: the first-parent commit log, newest first. */
async function getCommitLog({ store, params, query }: TreeRequest): Promise<unknown> {
  const fetchAll = queryFetchAll(query);
  const filter = logFilter(queryString(query, "filter"));
  const limitText = queryString(query, "limit-hash");
  const resolved = await resolveForRead(store, params[0] as string);
  const limitHash =
    limitText === undefined || limitText === ""
      ? undefined
      : await expandHash(store, checkHashOrRelative(limitText, "limit-hash"), resolved.hash);
  const page = await pageThrough({
    fetch: (req) =>
      store.log(resolved.hash, { ...req, withOperations: fetchAll, ...(limitHash ? { limitHash } : {}) }),
    map: (entry) => entry,
    keep: filter ? (e: LogEntry) => filter({ meta: e.commitMeta, operations: e.operations }) : undefined,
    maxRecords: effectiveMax(queryInt(query, "max-records"), MAX_LOG_ENTRIES),
    pageToken: queryString(query, "page-token"),
  });
  return {
    logEntries: page.items.map((e) => logEntryJson(e, fetchAll)),
    hasMore: page.hasMore,
    token: page.token ?? null,
  };
}

export const historyRoutes: TreeMethods = { GET: getCommitLog };
