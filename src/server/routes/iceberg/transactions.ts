import type { FastifyInstance } from "fastify";
import { commitMessage, commitTables } from "../../../catalog/commit-path.ts";
import { transactionBody } from "./bodies.ts";
import { type IcebergDeps, icebergRoute } from "./route.ts";

/** `POST /v1/{prefix}/transactions/commit`: several tables in one atomic version-store commit. */
export function registerTransactionRoutes(app: FastifyInstance, deps: IcebergDeps): void {
  icebergRoute(app, deps, "POST", "transactions/commit", async ({ ref, body, meta }, reply) => {
    const changes = transactionBody(body);
    await commitTables(deps.catalog, ref, changes, meta(commitMessage(changes)));
    return reply.status(204).send();
  });
}
