import type { FastifyInstance } from "fastify";
import {
  createNamespace,
  dropNamespace,
  listNamespaces,
  loadNamespace,
  updateNamespaceProperties,
} from "../../../catalog/namespaces.ts";
import { queryInt, queryString } from "../../query.ts";
import { createNamespaceBody, updatePropertiesBody } from "./bodies.ts";
import { type IcebergDeps, icebergRoute, namespaceParam } from "./route.ts";

/** Namespaces: list (with `parent`, paging), create, load, exists, drop (empty only), update properties. */
export function registerNamespaceRoutes(app: FastifyInstance, deps: IcebergDeps): void {
  const { catalog } = deps;

  icebergRoute(app, deps, "GET", "namespaces", async ({ ref, query }) => {
    const parent = queryString(query, "parent");
    const page = await listNamespaces(catalog, ref, parent ? namespaceParam(parent) : [], {
      pageToken: queryString(query, "pageToken"),
      pageSize: queryInt(query, "pageSize"),
    });
    return {
      namespaces: page.items,
      ...(page.nextPageToken ? { "next-page-token": page.nextPageToken } : {}),
    };
  });

  icebergRoute(app, deps, "POST", "namespaces", async ({ ref, body, meta }) => {
    const { namespace, properties } = createNamespaceBody(body);
    return createNamespace(catalog, ref, namespace, properties, meta);
  });

  icebergRoute(app, deps, "HEAD", "namespaces/:namespace", async ({ ref, params }, reply) => {
    await loadNamespace(catalog, ref, namespaceParam(params.namespace));
    return reply.status(204).send();
  });

  icebergRoute(app, deps, "GET", "namespaces/:namespace", async ({ ref, params }) =>
    loadNamespace(catalog, ref, namespaceParam(params.namespace)),
  );

  icebergRoute(app, deps, "DELETE", "namespaces/:namespace", async ({ ref, params, meta }, reply) => {
    await dropNamespace(catalog, ref, namespaceParam(params.namespace), meta);
    return reply.status(204).send();
  });

  icebergRoute(app, deps, "POST", "namespaces/:namespace/properties", async ({ ref, params, body, meta }) => {
    const { removals, updates } = updatePropertiesBody(body);
    return updateNamespaceProperties(catalog, ref, namespaceParam(params.namespace), removals, updates, meta);
  });
}
