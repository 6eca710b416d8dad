import type { FastifyInstance } from "fastify";
import { dropContent, listContents, renameContent } from "../../../catalog/tables.ts";
import { createView, loadView, registerView, replaceView } from "../../../catalog/views.ts";
import { viewMetadataToJson, type ViewMetadata } from "../../../iceberg/view-metadata.ts";
import { queryInt, queryString } from "../../query.ts";
import { createViewBody, registerBody, renameBody, replaceViewBody } from "./bodies.ts";
import { type IcebergDeps, icebergRoute, identifierParam, namespaceParam } from "./route.ts";

/** Views: list, create, load, exists, replace, drop, rename, register. */
export function registerViewRoutes(app: FastifyInstance, deps: IcebergDeps): void {
  const { catalog } = deps;
  const result = (metadataLocation: string, metadata: ViewMetadata) => ({
    "metadata-location": metadataLocation,
    metadata: viewMetadataToJson(metadata),
    config: deps.fileIo,
  });

  icebergRoute(app, deps, "GET", "namespaces/:namespace/views", async ({ ref, params, query }) => {
    const page = await listContents(catalog, ref, namespaceParam(params.namespace), "ICEBERG_VIEW", {
      pageToken: queryString(query, "pageToken"),
      pageSize: queryInt(query, "pageSize"),
    });
    return {
      identifiers: page.items.map((k) => ({ namespace: k.slice(0, -1), name: k[k.length - 1] })),
      ...(page.nextPageToken ? { "next-page-token": page.nextPageToken } : {}),
    };
  });

  icebergRoute(app, deps, "POST", "namespaces/:namespace/views", async ({ ref, params, body, meta }) => {
    const { name, request } = createViewBody(body);
    const v = await createView(catalog, ref, [...namespaceParam(params.namespace), name], request, meta);
    return result(v.metadataLocation, v.metadata);
  });

  icebergRoute(app, deps, "HEAD", "namespaces/:namespace/views/:view", async ({ ref, params }, reply) => {
    await loadView(catalog, ref, identifierParam(params, "view"));
    return reply.status(204).send();
  });

  icebergRoute(app, deps, "GET", "namespaces/:namespace/views/:view", async ({ ref, params }) => {
    const v = await loadView(catalog, ref, identifierParam(params, "view"));
    return result(v.metadataLocation, v.metadata);
  });

  icebergRoute(
    app,
    deps,
    "POST",
    "namespaces/:namespace/views/:view",
    async ({ ref, params, body, meta }) => {
      const { requirements, updates } = replaceViewBody(body);
      const v = await replaceView(catalog, ref, identifierParam(params, "view"), requirements, updates, meta);
      return result(v.metadataLocation, v.metadata);
    },
  );

  icebergRoute(
    app,
    deps,
    "DELETE",
    "namespaces/:namespace/views/:view",
    async ({ ref, params, meta }, reply) => {
      await dropContent(catalog, ref, identifierParam(params, "view"), "ICEBERG_VIEW", meta);
      return reply.status(204).send();
    },
  );

  icebergRoute(
    app,
    deps,
    "POST",
    "namespaces/:namespace/register-view",
    async ({ ref, params, body, meta }) => {
      const { name, metadataLocation } = registerBody(body, "register view request");
      const key = [...namespaceParam(params.namespace), name];
      const v = await registerView(catalog, ref, key, metadataLocation, meta);
      return result(v.metadataLocation, v.metadata);
    },
  );

  icebergRoute(app, deps, "POST", "views/rename", async ({ ref, body, meta }, reply) => {
    const { from, to } = renameBody(body);
    await renameContent(catalog, ref, from, to, "ICEBERG_VIEW", meta);
    return reply.status(204).send();
  });
}
