import { isFloeError } from "../../core/errors.ts";
import type { MergeResult } from "../../versioning/model.ts";
import { applyCommitHeaders } from "../commit-headers.ts";
import { mergeResultJson } from "../mappers.ts";
import type { Metrics } from "../metrics.ts";
import { sourceCommit, writeTarget } from "../ref-resolution.ts";
import { parseMergeBody, parseTransplantBody } from "../request-bodies.ts";
import type { TreeMethods, TreeRequest } from "./context.ts";

/** Merge and transplant into a branch; both answer Nessie's MergeResponse. */

async function counted(metrics: Metrics, kind: string, run: () => Promise<MergeResult>): Promise<unknown> {
  try {
    const result = await run();
    if (result.wasApplied) metrics.merges.inc({ kind });
    else if (!result.wasSuccessful) metrics.commitConflicts.inc();
    return mergeResultJson(result);
  } catch (e) {
    if (isFloeError(e, "REFERENCE_CONFLICT")) metrics.commitConflicts.inc();
    throw e;
  }
}

async function merge({ store, metrics, params, body, headers }: TreeRequest): Promise<unknown> {
  const m = parseMergeBody(body);
  const { ref, expectedHash } = await writeTarget(store, params[0] as string, {
    what: "Reference to merge into",
    mustBeBranch: true,
  });
  const fromHash = await sourceCommit(store, m.fromRefName, m.fromHash, "Source");
  // Nessie: the commit meta's message wins, the deprecated `message` fills in an empty one.
  const meta = applyCommitHeaders(
    { ...m.commitMeta, message: m.commitMeta?.message || m.message || undefined },
    headers,
  );
  return counted(metrics, "merge", () =>
    store.merge(ref.name, expectedHash, m.fromRefName, fromHash, {
      ...m.options,
      commitMeta: meta,
      ...(meta.message ? { message: meta.message } : {}),
    }),
  );
}

async function transplant({ store, metrics, params, body, headers }: TreeRequest): Promise<unknown> {
  const t = parseTransplantBody(body);
  const { ref, expectedHash } = await writeTarget(store, params[0] as string, {
    what: "Reference to transplant into",
    mustBeBranch: true,
  });
  await store.getReference(t.fromRefName);
  const hashes: string[] = [];
  for (const h of t.hashes) hashes.push(await sourceCommit(store, undefined, h, "Hash to transplant"));
  // As in Nessie, a message override only applies when a single commit is transplanted.
  const meta =
    hashes.length === 1 ? applyCommitHeaders(t.message ? { message: t.message } : {}, headers) : undefined;
  return counted(metrics, "transplant", () =>
    store.transplant(ref.name, expectedHash, t.fromRefName, hashes, {
      ...t.options,
      ...(meta ? { commitMeta: meta } : {}),
      ...(meta?.message ? { message: meta.message } : {}),
    }),
  );
}

export const mergeRoutes: TreeMethods = { POST: merge };
export const transplantRoutes: TreeMethods = { POST: transplant };
