import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { FloeError, badRequest } from "../core/errors.ts";
import type { VersionStoreApi } from "../versioning/api.ts";
import { decodeBody } from "./body-encoding.ts";
import { nessieErrorBody, statusOf, toFloeError } from "./error-map.ts";
import { parseJson, stringifyJson } from "../core/json.ts";
import { Metrics, installRequestMetrics } from "./metrics.ts";
import { registerConfigRoutes } from "./routes/config.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerTreeRoutes } from "./routes/trees.ts";
import { openCatalog } from "../catalog/catalog.ts";
import type { ObjectStoreResolver } from "../storage/open-object-store.ts";
import type { S3Settings } from "../storage/s3-object-store.ts";
import { clientFileIo } from "./routes/iceberg/file-io.ts";
import { registerIcebergRoutes } from "./routes/iceberg/register.ts";
import { registerSqlRoute, type SqlLimits } from "./routes/sql.ts";
import type { EngineFiles } from "../engine/duck-files.ts";

/** Request bodies larger than this are refused with 413 unless the caller sets `bodyLimit`. */
const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * The HTTP server of floe: Nessie's REST API v2 under `/api/v2`, the Iceberg REST Catalog API under
 * `/iceberg` (when `iceberg` is given), plus `/healthz`, `/readyz` and
 * `/metrics`. Returns the app without listening; `app.close()` lets in-flight requests finish.
 * The store belongs to the caller and is not closed with the app.
 */
export async function buildApp(deps: {
  store: VersionStoreApi;
  logger?: boolean | FastifyServerOptions["logger"];
  bodyLimit?: number;
  /** The Iceberg REST API under `/iceberg`: where tables go and how metadata files are reached. */
  iceberg?: {
    objects: ObjectStoreResolver;
    warehouse: string;
    allowedLocations?: readonly string[];
    s3?: S3Settings;
    /** How `POST /api/v1/sql` reads data files on S3 (see `engineFiles`). */
    sqlFiles?: EngineFiles;
  };
  /** Defaults of `POST /api/v1/sql`: the statement timeout and the row limit. */
  sql?: SqlLimits;
}): Promise<FastifyInstance> {
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit });
  const metrics = new Metrics(deps.store);

  // Only JSON bodies (anything else is a 415), parsed so that 64-bit integers stay exact.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    try {
      const text = decodeBody(body as Buffer, request.headers["content-encoding"], bodyLimit).toString(
        "utf8",
      );
      done(null, text === "" ? undefined : parseRequestJson(text));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.setReplySerializer((payload) => stringifyJson(payload));

  app.setErrorHandler((error, request, reply) => {
    const err = toFloeError(error);
    if (err.kind === "INTERNAL") request.log.error({ err: error }, "request failed with an internal error");
    return reply
      .status(statusOf(err))
      .type("application/json")
      .send(nessieErrorBody(err, request.headers["nessie-client-spec"]));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = (request.raw.url ?? "").split("?")[0];
    const err = new FloeError("NOT_FOUND", `no endpoint for ${request.method} ${path}`);
    return reply.status(404).send(nessieErrorBody(err, request.headers["nessie-client-spec"]));
  });

  installRequestMetrics(app, metrics);
  registerHealthRoutes(app, deps.store, metrics);
  registerConfigRoutes(app, deps.store);
  registerTreeRoutes(app, deps.store, metrics);
  if (deps.iceberg) {
    const catalog = openCatalog({ store: deps.store, ...deps.iceberg });
    await registerIcebergRoutes(app, {
      catalog,
      fileIo: clientFileIo(catalog.warehouse, deps.iceberg.s3 ?? {}),
      metrics,
    });
    registerSqlRoute(app, {
      catalog,
      objects: deps.iceberg.objects,
      ...(deps.sql === undefined ? {} : { limits: deps.sql }),
      ...(deps.iceberg.sqlFiles ? { files: deps.iceberg.sqlFiles } : {}),
    });
  }
  await app.ready();
  return app;
}

function parseRequestJson(text: string): unknown {
  try {
    return parseJson(text);
  } catch (e) {
    if (e instanceof SyntaxError) throw badRequest(`malformed JSON in request body: ${e.message}`);
    throw e;
  }
}
