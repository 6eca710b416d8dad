import { badRequest } from "../../core/errors.ts";
import type { VersionStoreApi } from "../../versioning/api.ts";
import { checkRefName, printable } from "../../versioning/ref-spec.ts";
import { referenceFilter } from "../cel-filters.ts";
import { commitMetaJson, referenceJson } from "../mappers.ts";
import { effectiveMax, pageThrough } from "../paging.ts";
import { parseRefType, queryFetchAll, queryInt, queryString, type Query } from "../query.ts";
import { referenceByName, sourceCommit, writeTarget } from "../ref-resolution.ts";
import { parseReferenceBody } from "../request-bodies.ts";
import type { TreeMethods, TreeRequest } from "./context.ts";

/** Branches and tags: list, create, get, assign, delete, recent changes. */

/** GET /api/v2/trees */
export async function listReferences(store: VersionStoreApi, query: Query): Promise<unknown> {
  const fetchAll = queryFetchAll(query);
  const filter = referenceFilter(queryString(query, "filter"));
  const page = await pageThrough({
    fetch: (req) => store.listReferences(req),
    map: async (ref) => ({ ref, ...(fetchAll ? { metadata: await store.referenceMetadata(ref) } : {}) }),
    keep: filter,
    maxRecords: effectiveMax(queryInt(query, "max-records")),
    pageToken: queryString(query, "page-token"),
  });
  return {
    references: page.items.map(({ ref, metadata }) => referenceJson(ref, metadata)),
    hasMore: page.hasMore,
    token: page.token ?? null,
  };
}

/** Nessie refuses names that read as something else in a ref path (Validation.isForbiddenReferenceName). */
function checkNewRefName(name: string | undefined): string {
  if (name === undefined || name === "")
    throw badRequest("query parameter 'name' (the new reference's name) is required");
  checkRefName(name);
  if (["HEAD", "DETACHED"].includes(name.toUpperCase()) || /^[0-9a-fA-F]{8,64}$/.test(name)) {
    throw badRequest(
      `Reference name must not be HEAD, DETACHED or a potential commit ID representation - but was ${printable(name)}`,
    );
  }
  return name;
}

/** POST /api/v2/trees?name=&type= with the source reference (and its hash) as body. */
export async function createReference(store: VersionStoreApi, query: Query, body: unknown): Promise<unknown> {
  const name = checkNewRefName(queryString(query, "name"));
  const type = parseRefType(queryString(query, "type"));
  if (type === undefined)
    throw badRequest("Mandatory reference type missing: query parameter 'type' must be BRANCH or TAG");
  const source = parseReferenceBody(body, "reference");
  const hash = await sourceCommit(
    store,
    source?.type === "DETACHED" ? undefined : source?.name,
    source?.hash,
    "Target",
  );
  return { reference: referenceJson(await store.createReference(name, type, hash)) };
}

async function getReference({ store, params, query }: TreeRequest): Promise<unknown> {
  const fetchAll = queryFetchAll(query);
  const ref = await referenceByName(store, params[0] as string, "reference");
  return { reference: referenceJson(ref, fetchAll ? await store.referenceMetadata(ref) : undefined) };
}

async function assignReference({ store, params, query, body }: TreeRequest): Promise<unknown> {
  const type = parseRefType(queryString(query, "type"));
  const target = parseReferenceBody(body, "reference");
  if (!target) throw badRequest("request body must be the reference (with its hash) to assign to");
  const { ref, expectedHash } = await writeTarget(store, params[0] as string, {
    what: "Assignment target",
    mustBeBranch: false,
    ...(type ? { type } : {}),
  });
  const hash = await sourceCommit(
    store,
    target.type === "DETACHED" ? undefined : target.name,
    target.hash,
    "Target",
  );
  return { reference: referenceJson(await store.assignReference(ref.name, expectedHash, hash, ref.type)) };
}

async function deleteReference({ store, params, query }: TreeRequest): Promise<unknown> {
  const type = parseRefType(queryString(query, "type"));
  const { ref, expectedHash } = await writeTarget(store, params[0] as string, {
    what: "Reference to delete",
    mustBeBranch: false,
    ...(type ? { type } : {}),
  });
  return { reference: referenceJson(await store.deleteReference(ref.name, expectedHash, ref.type)) };
}

/**
 * GET /api/v2/trees/{ref}/recent-changes. Nessie answers from a recorded list of the ref's
 * previous HEADs (a reflog kept for replicated databases). floe keeps no such record, so it
 * answers as a Nessie configured to record none: `current` is the HEAD, `previous` is empty. Deriving
 * `previous` from the commit log would be wrong: parents are not previous HEADs once a ref has been
 * assigned. `scan-commits` > 0 reads that many commits of the log; they are content-addressed and
 * immutable, so reading them is the consistency check.
 */
async function recentChanges({ store, params, query }: TreeRequest): Promise<unknown> {
  const ref = await referenceByName(store, params[0] as string, "reference history");
  const scan = queryInt(query, "scan-commits");
  const meta = ref.hash === store.noAncestorHash ? null : commitMetaJson(await store.getCommitMeta(ref.hash));
  let commitLogConsistency = "NOT_CHECKED";
  if (scan !== undefined && scan > 0) {
    await store.log(ref.hash, { maxRecords: Math.min(scan, 1000) });
    commitLogConsistency = "COMMIT_CONSISTENT";
  }
  return {
    reference: referenceJson(ref),
    current: { commitHash: ref.hash, commitConsistency: "COMMIT_CONSISTENT", meta },
    previous: [],
    commitLogConsistency,
  };
}

export const referenceRoutes: TreeMethods = {
  GET: getReference,
  PUT: assignReference,
  DELETE: deleteReference,
};
export const recentChangesRoutes: TreeMethods = { GET: recentChanges };
