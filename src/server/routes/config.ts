import type { FastifyInstance } from "fastify";
import { badRequest } from "../../core/errors.ts";
import type { VersionStoreApi } from "../../versioning/api.ts";
import { printable } from "../../versioning/ref-spec.ts";
import { isObject } from "../content-body.ts";

/** Nessie spec version floe implements (api/NESSIE-SPEC-2-0.md): escaped content keys in paths. */
const SPEC_VERSION = "2.2.0";

export function registerConfigRoutes(app: FastifyInstance, store: VersionStoreApi): void {
  app.get("/api/v2/config", async () => ({
    defaultBranch: store.defaultBranch,
    minSupportedApiVersion: 1,
    maxSupportedApiVersion: 2,
    actualApiVersion: 2,
    specVersion: SPEC_VERSION,
    noAncestorHash: store.noAncestorHash,
    repositoryCreationTimestamp: store.repositoryCreationTimestamp,
    // floe never purges history, so the oldest possible commit is as old as the repository.
    oldestPossibleCommitTimestamp: store.repositoryCreationTimestamp,
  }));

  // floe stores no repository configs (Nessie's GC settings and the like) yet.
  app.get("/api/v2/config/repository", async () => ({ configs: [] }));

  app.post("/api/v2/config/repository", async (request) => {
    const body = request.body;
    if (!isObject(body) || !isObject(body.config)) {
      throw badRequest('request body must be {"config": {"type": …}}');
    }
    const type = body.config.type;
    if (typeof type !== "string" || type === "") throw badRequest("config.type must be a non-empty string");
    throw badRequest(
      `Repository config type '${printable(type)}' is not supported by this server: floe supports no repository config types`,
    );
  });
}
