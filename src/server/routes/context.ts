import type { IncomingHttpHeaders } from "node:http";
import type { VersionStoreApi } from "../../versioning/api.ts";
import type { Metrics } from "../metrics.ts";
import type { Query } from "../query.ts";

/** What a handler of a `/api/v2/trees/…` endpoint gets: the decoded path parameters and the request. */
export interface TreeRequest {
  readonly store: VersionStoreApi;
  readonly metrics: Metrics;
  /** The ref path element, then the content key or the to-ref where the path has one. */
  readonly params: readonly string[];
  readonly query: Query;
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
}

export type TreeHandler = (request: TreeRequest) => Promise<unknown>;

/** The handlers of one path, by HTTP method. */
export type TreeMethods = Partial<Record<"GET" | "POST" | "PUT" | "DELETE", TreeHandler>>;
