import type { FastifyInstance } from "fastify";
import type { IcebergDeps } from "./route.ts";

/** The endpoints floe serves, as `GET /v1/config` lists them for clients that check. */
export const ENDPOINTS: readonly string[] = [
  "GET /v1/{prefix}/namespaces",
  "POST /v1/{prefix}/namespaces",
  "GET /v1/{prefix}/namespaces/{namespace}",
  "HEAD /v1/{prefix}/namespaces/{namespace}",
  "DELETE /v1/{prefix}/namespaces/{namespace}",
  "POST /v1/{prefix}/namespaces/{namespace}/properties",
  "GET /v1/{prefix}/namespaces/{namespace}/tables",
  "POST /v1/{prefix}/namespaces/{namespace}/tables",
  "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
  "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
  "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
  "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
  "POST /v1/{prefix}/namespaces/{namespace}/register",
  "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
  "POST /v1/{prefix}/tables/rename",
  "POST /v1/{prefix}/transactions/commit",
  "GET /v1/{prefix}/namespaces/{namespace}/views",
  "POST /v1/{prefix}/namespaces/{namespace}/views",
  "GET /v1/{prefix}/namespaces/{namespace}/views/{view}",
  "HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}",
  "POST /v1/{prefix}/namespaces/{namespace}/views/{view}",
  "DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}",
  "POST /v1/{prefix}/views/rename",
  "POST /v1/{prefix}/namespaces/{namespace}/register-view",
];

/**
 * `GET /v1/config`: the storage settings as defaults, and — when the client's URI names a ref
 * (`…/iceberg/dev`) — that ref as the `prefix` override, so every later path carries it. Without a
 * ref in the URI no prefix is forced: the client's own `prefix` (Trino's `rest-catalog.prefix`)
 * chooses the ref, else the default branch.
 */
export function registerIcebergConfigRoutes(app: FastifyInstance, deps: IcebergDeps): void {
  const config = (ref: string | undefined) => ({
    defaults: deps.fileIo,
    overrides: ref !== undefined && ref !== "" ? { prefix: encodeURIComponent(ref) } : {},
    endpoints: ENDPOINTS,
  });
  app.get("/v1/config", async () => config(undefined));
  app.get("/:ref/v1/config", async (request) => config((request.params as { ref: string }).ref));
}
