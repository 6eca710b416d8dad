import type { IncomingHttpHeaders } from "node:http";
import type { FastifyInstance, FastifyReply, HTTPMethods } from "fastify";
import type { CatalogContext, CommitMetaFor } from "../../../catalog/context.ts";
import { badRequest } from "../../../core/errors.ts";
import type { ContentKey } from "../../../versioning/model.ts";
import { applyCommitHeaders } from "../../commit-headers.ts";
import type { Metrics } from "../../metrics.ts";
import type { Query } from "../../query.ts";

/** What the Iceberg REST handlers share: the catalog, the FileIO settings clients get, metrics. */
export interface IcebergDeps {
  readonly catalog: CatalogContext;
  /** Storage settings handed to clients in `/v1/config` defaults and `LoadTableResult.config`. */
  readonly fileIo: Readonly<Record<string, string>>;
  readonly metrics: Metrics;
}

export interface IcebergRequest {
  /** The ref the request works on: the prefix (`main`, `dev`, `main|<warehouse>`, `v1@hash`), else the ref path element, else the default branch. */
  readonly ref: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Query;
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
  /** Commit metadata: `Nessie-Commit-Message` / `-Authors` headers over the operation's default message. */
  readonly meta: CommitMetaFor;
}

export type IcebergHandler = (request: IcebergRequest, reply: FastifyReply) => Promise<unknown>;

/**
 * Registers an endpoint of the spec's `/v1/{prefix}/<path>` in all the layouts clients use (under
 * the `/iceberg` prefix): `/v1/<path>` (no prefix: default branch), `/v1/{prefix}/<path>`, and with
 * the ref as a path element before `v1` (`/{ref}/v1/…`, for clients that are given
 * `…/iceberg/main` as their endpoint and append `/v1/…` themselves, such as DuckDB and pyiceberg).
 */
export function icebergRoute(
  app: FastifyInstance,
  deps: IcebergDeps,
  method: HTTPMethods,
  path: string,
  handler: IcebergHandler,
): void {
  for (const url of [`/v1/${path}`, `/v1/:prefix/${path}`, `/:ref/v1/${path}`, `/:ref/v1/:prefix/${path}`]) {
    app.route({
      method,
      url,
      handler: async (request, reply) => {
        const params = request.params as Record<string, string>;
        return handler(
          {
            ref: refOf(params, deps.catalog.store.defaultBranch),
            params,
            query: request.query as Query,
            body: request.body,
            headers: request.headers,
            meta: (message) => applyCommitHeaders({ message }, request.headers),
          },
          reply,
        );
      },
    });
  }
}

/** `main|s3://warehouse` names the ref `main` (the warehouse part is the client's, not a ref). */
export function refOf(params: Readonly<Record<string, string | undefined>>, defaultBranch: string): string {
  const given = params.prefix ?? params.ref;
  if (given === undefined || given === "") return defaultBranch;
  const ref = given.split("|")[0] ?? "";
  return ref === "" ? defaultBranch : ref;
}

/** A namespace path parameter: levels separated by the unit separator (`%1F`). */
export function namespaceParam(text: string | undefined): string[] {
  if (text === undefined || text === "") throw badRequest("Missing namespace in the request path");
  const levels = text.split("\u001f");
  if (levels.some((l) => l === ""))
    throw badRequest(`Invalid namespace '${text.replaceAll("\u001f", ".")}': empty level`);
  return levels;
}

/** The key of `…/namespaces/{namespace}/<kind>/{name}`. */
export function identifierParam(params: Readonly<Record<string, string>>, name: string): ContentKey {
  const n = params[name];
  if (n === undefined || n === "") throw badRequest(`Missing ${name} name in the request path`);
  return [...namespaceParam(params.namespace), n];
}
