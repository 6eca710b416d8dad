import type { Resolved } from "../versioning/api.ts";
import type {
  CommitMeta,
  ContentKey,
  DiffEntry,
  Entry,
  LogEntry,
  MergeResult,
  Operation,
  Reference,
  ReferenceMetadata,
} from "../versioning/model.ts";

/**
 * Model → Nessie API v2 JSON (the `Views.V2` shapes of org.projectnessie.model). Fields Nessie
 * only writes in its v1 view (`author`, `signedOffBy`, `properties`, `additionalParents`, …) are
 * left out, as a v2 server does.
 */

export const keyJson = (key: ContentKey) => ({ elements: key });

export function referenceJson(ref: Reference, metadata?: ReferenceMetadata): Record<string, unknown> {
  const out: Record<string, unknown> = { type: ref.type, name: ref.name, hash: ref.hash };
  if (metadata) out.metadata = referenceMetadataJson(metadata);
  return out;
}

/** Nessie's `Detached` has no name in JSON: `{type: "DETACHED", hash}`. */
export function effectiveReferenceJson(resolved: Resolved): Record<string, unknown> {
  return resolved.reference
    ? { type: resolved.reference.type, name: resolved.reference.name, hash: resolved.hash }
    : { type: "DETACHED", hash: resolved.hash };
}

function referenceMetadataJson(md: ReferenceMetadata): Record<string, unknown> {
  return {
    numCommitsAhead: md.numCommitsAhead ?? null,
    numCommitsBehind: md.numCommitsBehind ?? null,
    commitMetaOfHEAD: md.commitMetaOfHEAD ? commitMetaJson(md.commitMetaOfHEAD) : null,
    commonAncestorHash: md.commonAncestorHash ?? null,
    numTotalCommits: md.numTotalCommits,
  };
}

export function commitMetaJson(meta: CommitMeta): Record<string, unknown> {
  const out: Record<string, unknown> = {
    hash: meta.hash,
    committer: meta.committer,
    authors: meta.authors,
    allSignedOffBy: meta.allSignedOffBy,
    message: meta.message,
    commitTime: meta.commitTime,
    authorTime: meta.authorTime,
  };
  if (Object.keys(meta.allProperties).length > 0) out.allProperties = meta.allProperties;
  if (meta.parentCommitHashes.length > 0) out.parentCommitHashes = meta.parentCommitHashes;
  return out;
}

function operationJson(op: Operation): Record<string, unknown> {
  return op.type === "PUT"
    ? { type: op.type, key: keyJson(op.key), content: op.content }
    : { type: op.type, key: keyJson(op.key) };
}

export function logEntryJson(entry: LogEntry, withOperations: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    commitMeta: commitMetaJson(entry.commitMeta),
    parentCommitHash: entry.parentCommitHash,
  };
  if (withOperations) out.operations = (entry.operations ?? []).map(operationJson);
  return out;
}

export function entryJson(entry: Entry, withContent: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: entry.content.type,
    name: keyJson(entry.key),
    contentId: entry.content.id,
  };
  if (withContent) out.content = entry.content;
  return out;
}

export function diffJson(d: DiffEntry): Record<string, unknown> {
  return { key: keyJson(d.key), from: d.from, to: d.to };
}

/** Nessie's name for a conflict type (floe's NAMESPACE_NOT_NAMESPACE is Nessie's NOT_A_NAMESPACE). */
export function nessieConflictType(type: string): string {
  return type === "NAMESPACE_NOT_NAMESPACE" ? "NOT_A_NAMESPACE" : type;
}

export function mergeResultJson(r: MergeResult): Record<string, unknown> {
  return {
    wasApplied: r.wasApplied,
    wasSuccessful: r.wasSuccessful,
    resultantTargetHash: r.resultantTargetHash,
    commonAncestor: r.commonAncestor ?? null,
    targetBranch: r.targetBranch,
    effectiveTargetHash: r.effectiveTargetHash,
    expectedHash: r.expectedHash,
    details: r.details.map((d) => ({
      key: keyJson(d.key),
      mergeBehavior: d.mergeBehavior,
      // v1-era field, still read by clients (default NONE when absent): Nessie's TreeApiImpl sets it.
      conflictType: d.conflict ? "UNRESOLVABLE" : "NONE",
      ...(d.conflict
        ? {
            conflict: {
              conflictType: nessieConflictType(d.conflict.conflictType),
              key: keyJson(d.conflict.key),
              message: d.conflict.message,
            },
          }
        : {}),
    })),
  };
}
