import { isFloeError } from "../../core/errors.ts";
import { applyCommitHeaders } from "../commit-headers.ts";
import { keyJson, referenceJson } from "../mappers.ts";
import { writeTarget } from "../ref-resolution.ts";
import { parseOperationsBody } from "../request-bodies.ts";
import type { TreeMethods, TreeRequest } from "./context.ts";

/** POST /api/v2/trees/{branch@expectedHash}/history/commit */
async function commit({ store, metrics, params, body, headers }: TreeRequest): Promise<unknown> {
  const { meta, operations } = parseOperationsBody(body);
  const { ref, expectedHash } = await writeTarget(store, params[0] as string, {
    what: "Reference to commit into",
    mustBeBranch: true,
  });
  try {
    const result = await store.commit(ref.name, expectedHash, applyCommitHeaders(meta, headers), operations);
    metrics.commits.inc();
    return {
      targetBranch: referenceJson(result.targetBranch),
      addedContents: result.addedContents.map((a) => ({ key: keyJson(a.key), contentId: a.contentId })),
    };
  } catch (e) {
    if (isFloeError(e, "REFERENCE_CONFLICT")) metrics.commitConflicts.inc();
    throw e;
  }
}

export const commitRoutes: TreeMethods = { POST: commit };
