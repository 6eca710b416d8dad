import type { FastifyInstance } from "fastify";
import { FloeError } from "../../core/errors.ts";
import type { VersionStoreApi } from "../../versioning/api.ts";
import { setRouteLabel, type Metrics } from "../metrics.ts";
import type { Query } from "../query.ts";
import { matchTreePath, type TreeEndpoint } from "../tree-paths.ts";
import { commitRoutes } from "./commit.ts";
import { contentRoutes, contentsRoutes } from "./contents.ts";
import type { TreeMethods } from "./context.ts";
import { diffRoutes } from "./diff.ts";
import { entriesRoutes } from "./entries.ts";
import { historyRoutes } from "./history.ts";
import { mergeRoutes, transplantRoutes } from "./merge.ts";
import { createReference, listReferences, recentChangesRoutes, referenceRoutes } from "./references.ts";

const ENDPOINTS: Readonly<Record<TreeEndpoint, TreeMethods>> = {
  reference: referenceRoutes,
  "recent-changes": recentChangesRoutes,
  entries: entriesRoutes,
  history: historyRoutes,
  commit: commitRoutes,
  merge: mergeRoutes,
  transplant: transplantRoutes,
  contents: contentsRoutes,
  content: contentRoutes,
  diff: diffRoutes,
};

const PREFIX = "/api/v2/trees/";

/** `/api/v2/trees` and everything below it. */
export function registerTreeRoutes(app: FastifyInstance, store: VersionStoreApi, metrics: Metrics): void {
  app.get("/api/v2/trees", async (request) => listReferences(store, request.query as Query));
  app.post("/api/v2/trees", async (request) => createReference(store, request.query as Query, request.body));

  app.route({
    method: ["GET", "POST", "PUT", "DELETE"],
    url: `${PREFIX}*`,
    handler: async (request) => {
      const path = (request.raw.url ?? "").split("?")[0] ?? "";
      const match = path.startsWith(PREFIX) ? matchTreePath(path.slice(PREFIX.length)) : undefined;
      const handler = match ? ENDPOINTS[match.endpoint][request.method as keyof TreeMethods] : undefined;
      if (!match || !handler) throw new FloeError("NOT_FOUND", `no endpoint for ${request.method} ${path}`);
      setRouteLabel(request, match.label);
      return handler({
        store,
        metrics,
        params: match.params,
        query: request.query as Query,
        body: request.body,
        headers: request.headers,
      });
    },
  });
}
