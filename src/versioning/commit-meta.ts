import type { CommitMeta, CommitMetaInput } from "./model.ts";
import type { HashedCommit, StoredMeta } from "./objects.ts";

/** Commit metadata as stored, from what the client sent and the server's clock. */
export function fillMeta(input: CommitMetaInput, now: string): StoredMeta {
  const props: Record<string, readonly string[]> = { ...(input.allProperties ?? {}) };
  for (const [k, v] of Object.entries(input.properties ?? {})) props[k] = [v];
  return {
    committer: input.committer ?? "",
    authors: input.authors ?? [],
    allSignedOffBy: input.allSignedOffBy ?? [],
    message: input.message ?? "",
    commitTime: now,
    authorTime: input.authorTime ?? now,
    allProperties: props,
  };
}

export function commitMetaOf(c: HashedCommit): CommitMeta {
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.meta.allProperties))
    if (v.length > 0) properties[k] = v[v.length - 1]!;
  return { hash: c.hash, ...c.meta, properties, parentCommitHashes: c.parents };
}
