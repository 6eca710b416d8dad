import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { commitMessage, commitTables } from "../../../catalog/commit-path.ts";
import {
  createTable,
  dropContent,
  listContents,
  loadTable,
  registerTable,
  renameContent,
} from "../../../catalog/tables.ts";
import { badRequest } from "../../../core/errors.ts";
import { tableMetadataToJson, type TableMetadata } from "../../../iceberg/table-metadata.ts";
import { queryBool, queryInt, queryString } from "../../query.ts";
import { commitTableBody, createTableBody, metricsReportBody, registerBody, renameBody } from "./bodies.ts";
import { type IcebergDeps, icebergRoute, identifierParam, namespaceParam } from "./route.ts";

/** Tables: list, create (and stage-create), load (snapshots, ETag), exists, commit, drop, rename, register. */
export function registerTableRoutes(app: FastifyInstance, deps: IcebergDeps): void {
  const { catalog } = deps;
  const result = (metadataLocation: string | undefined, metadata: TableMetadata, snapshots = "all") => ({
    ...(metadataLocation !== undefined ? { "metadata-location": metadataLocation } : {}),
    metadata: tableMetadataToJson(snapshots === "refs" ? onlyRefSnapshots(metadata) : metadata),
    config: deps.fileIo,
  });

  icebergRoute(app, deps, "GET", "namespaces/:namespace/tables", async ({ ref, params, query }) => {
    const ns = namespaceParam(params.namespace);
    const page = await listContents(catalog, ref, ns, "ICEBERG_TABLE", {
      pageToken: queryString(query, "pageToken"),
      pageSize: queryInt(query, "pageSize"),
    });
    return {
      identifiers: page.items.map((k) => ({ namespace: k.slice(0, -1), name: k[k.length - 1] })),
      ...(page.nextPageToken ? { "next-page-token": page.nextPageToken } : {}),
    };
  });

  icebergRoute(app, deps, "POST", "namespaces/:namespace/tables", async ({ ref, params, body, meta }) => {
    const { name, stage, request } = createTableBody(body);
    const key = [...namespaceParam(params.namespace), name];
    const created = await createTable(catalog, ref, key, request, { stage, meta });
    return result(created.metadataLocation, created.metadata);
  });

  icebergRoute(app, deps, "HEAD", "namespaces/:namespace/tables/:table", async ({ ref, params }, reply) => {
    await loadTable(catalog, ref, identifierParam(params, "table"));
    return reply.status(204).send();
  });

  icebergRoute(
    app,
    deps,
    "GET",
    "namespaces/:namespace/tables/:table",
    async ({ ref, params, query, headers }, reply) => {
      const snapshots = (queryString(query, "snapshots") ?? "all").toLowerCase();
      if (snapshots !== "all" && snapshots !== "refs")
        throw badRequest(`query parameter 'snapshots' must be all or refs, got '${snapshots}'`);
      const table = await loadTable(catalog, ref, identifierParam(params, "table"));
      const etag = `"${createHash("sha256").update(`${snapshots}\u0000${table.metadataLocation}`).digest("hex")}"`;
      reply.header("etag", etag);
      const ifNoneMatch = headers["if-none-match"];
      if (
        ifNoneMatch !== undefined &&
        ifNoneMatch.split(",").some((t) => [etag, "*"].includes(t.trim().replace(/^W\//, "")))
      )
        return reply.status(304).send();
      return result(table.metadataLocation, table.metadata, snapshots);
    },
  );

  icebergRoute(
    app,
    deps,
    "POST",
    "namespaces/:namespace/tables/:table",
    async ({ ref, params, body, meta }) => {
      const key = identifierParam(params, "table");
      const change = commitTableBody(body);
      if (change.identifier && change.identifier.join("\u0000") !== key.join("\u0000"))
        throw badRequest(
          `The commit's identifier ${change.identifier.join(".")} does not match the path's ${key.join(".")}`,
        );
      const changes = [{ key, requirements: change.requirements, updates: change.updates }];
      const committed = await commitTables(catalog, ref, changes, meta(commitMessage(changes)));
      const table = committed[0] as (typeof committed)[number];
      return { "metadata-location": table.metadataLocation, metadata: tableMetadataToJson(table.metadata) };
    },
  );

  icebergRoute(
    app,
    deps,
    "DELETE",
    "namespaces/:namespace/tables/:table",
    async ({ ref, params, query, meta }, reply) => {
      queryBool(query, "purgeRequested"); // accepted; files stay (see dropContent)
      await dropContent(catalog, ref, identifierParam(params, "table"), "ICEBERG_TABLE", meta);
      return reply.status(204).send();
    },
  );

  icebergRoute(app, deps, "POST", "tables/rename", async ({ ref, body, meta }, reply) => {
    const { from, to } = renameBody(body);
    await renameContent(catalog, ref, from, to, "ICEBERG_TABLE", meta);
    return reply.status(204).send();
  });

  icebergRoute(app, deps, "POST", "namespaces/:namespace/register", async ({ ref, params, body, meta }) => {
    const { name, metadataLocation, overwrite } = registerBody(body);
    const key = [...namespaceParam(params.namespace), name];
    const t = await registerTable(catalog, ref, key, metadataLocation, { overwrite, meta });
    return result(t.metadataLocation, t.metadata);
  });

  icebergRoute(
    app,
    deps,
    "POST",
    "namespaces/:namespace/tables/:table/metrics",
    async ({ params, body }, reply) => {
      identifierParam(params, "table");
      const type = metricsReportBody(body);
      deps.metrics.icebergReports.inc({
        type: ["scan-report", "commit-report"].includes(type) ? type : "other",
      });
      return reply.status(204).send();
    },
  );
}

/** `snapshots=refs`: only the snapshots a branch or tag points at. */
function onlyRefSnapshots(m: TableMetadata): TableMetadata {
  const keep = new Set(Object.values(m.refs).map((r) => r.snapshotId));
  return { ...m, snapshots: m.snapshots.filter((s) => keep.has(s.snapshotId)) };
}
