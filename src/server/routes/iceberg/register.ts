import type { FastifyInstance } from "fastify";
import { FloeError } from "../../../core/errors.ts";
import { icebergErrorBody, statusOf, toFloeError } from "../../error-map.ts";
import { registerIcebergConfigRoutes } from "./config.ts";
import { registerNamespaceRoutes } from "./namespaces.ts";
import type { IcebergDeps } from "./route.ts";
import { registerTableRoutes } from "./tables.ts";
import { registerTransactionRoutes } from "./transactions.ts";
import { registerViewRoutes } from "./views.ts";

/** The Iceberg REST Catalog API under `/iceberg`, with Iceberg's error bodies. */
export async function registerIcebergRoutes(app: FastifyInstance, deps: IcebergDeps): Promise<void> {
  await app.register(
    async (iceberg) => {
      iceberg.setErrorHandler((error, request, reply) => {
        const err = toFloeError(error);
        if (err.kind === "INTERNAL")
          request.log.error({ err: error }, "request failed with an internal error");
        return reply.status(statusOf(err)).type("application/json").send(icebergErrorBody(err));
      });
      iceberg.setNotFoundHandler((request, reply) => {
        const path = (request.raw.url ?? "").split("?")[0];
        const err = new FloeError("NOT_FOUND", `no endpoint for ${request.method} ${path}`);
        return reply.status(404).type("application/json").send(icebergErrorBody(err));
      });
      registerIcebergConfigRoutes(iceberg, deps);
      registerNamespaceRoutes(iceberg, deps);
      registerTableRoutes(iceberg, deps);
      registerViewRoutes(iceberg, deps);
      registerTransactionRoutes(iceberg, deps);
    },
    { prefix: "/iceberg" },
  );
}
