import type { FastifyInstance } from "fastify";
import { FloeError } from "../../core/errors.ts";
import type { VersionStoreApi } from "../../versioning/api.ts";
import type { Metrics } from "../metrics.ts";

/** Liveness, readiness and the Prometheus scrape endpoint. */
export function registerHealthRoutes(app: FastifyInstance, store: VersionStoreApi, metrics: Metrics): void {
  app.get("/healthz", async () => ({ status: "UP" }));

  app.get("/readyz", async () => {
    try {
      await store.ping();
    } catch (e) {
      throw new FloeError(
        "SERVICE_UNAVAILABLE",
        `metadata store unreachable: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    return { status: "UP" };
  });

  app.get("/metrics", async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
