import { type ErrorKind, isFloeError } from "../core/errors.ts";
import type { VersionStoreApi } from "../versioning/api.ts";
import type { CommitMetaInput, Content, ContentKey, Entry, Operation } from "../versioning/model.ts";
import { parseRefSpec } from "../versioning/ref-spec.ts";
import { commitFailed, readOnlyRef } from "./errors.ts";
import type { MetadataFiles } from "./metadata-files.ts";

/** What every catalog operation works with. */
export interface CatalogContext {
  readonly store: VersionStoreApi;
  readonly files: MetadataFiles;
  /** Canonical warehouse location (`file:///…` or `s3://…`), without a trailing slash. */
  readonly warehouse: string;
  /** Further prefixes client-chosen table and view locations may lie under (see locations.ts). */
  readonly allowedLocations: readonly string[];
}

/** Commit metadata of a catalog write: the caller's (from request headers), else the operation's default. */
export type CommitMetaFor = (defaultMessage: string) => CommitMetaInput;

/** The commit a read sees: any ref spec (`main`, `v1.0` tag, `main@hash`, `@hash`). */
export async function readHash(ctx: CatalogContext, ref: string): Promise<string> {
  return (await ctx.store.resolve(parseRefSpec(ref))).hash;
}

export async function contentAt(
  ctx: CatalogContext,
  hash: string,
  key: ContentKey,
): Promise<Content | undefined> {
  const [entry] = await ctx.store.getContents(hash, [key]);
  return entry?.content;
}

/** Every entry whose key starts with `prefix` (the empty prefix: all), in key order. */
export async function entriesUnder(ctx: CatalogContext, hash: string, prefix: ContentKey): Promise<Entry[]> {
  const out: Entry[] = [];
  let pageToken: string | undefined;
  do {
    const page = await ctx.store.entries(hash, {
      ...(prefix.length > 0 ? { prefixKey: prefix } : {}),
      ...(pageToken !== undefined ? { pageToken } : {}),
    });
    out.push(...page.items);
    pageToken = page.token;
  } while (pageToken !== undefined);
  return out.filter((e) => prefix.every((el, i) => e.key[i] === el));
}

/**
 * Errors of a version-store commit that mean it cleanly did not happen. Anything else (INTERNAL, a
 * database connection lost mid-commit, a non-FloeError) leaves the outcome unknown: the commit may
 * have landed, so the metadata files it names must stay (an orphan is harmless, orphan removal in
 * src/iceberg/maintenance reclaims it; a deleted file the table points at is not).
 */
const CLEANLY_REFUSED: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  "BAD_REQUEST",
  "NOT_FOUND",
  "REFERENCE_NOT_FOUND",
  "REFERENCE_ALREADY_EXISTS",
  "REFERENCE_CONFLICT",
  "COMMIT_CONFLICT",
  "CONTENT_NOT_FOUND",
  "FORBIDDEN",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
]);

/** True when `e` says the commit cleanly did not happen (safe to delete the files written for it). */
export const cleanlyRefused = (e: unknown): boolean => isFloeError(e) && CLEANLY_REFUSED.has(e.kind);

/** One attempt of a write: the operations to commit, what to answer, and files written for them. */
export interface WritePlan<T> {
  readonly operations: readonly Operation[];
  readonly result: T;
  /** Metadata files written for this attempt, removed again if its commit cleanly did not land. */
  readonly written?: readonly string[];
}

// Each failed attempt means another writer of the same key landed, so N concurrent writers need at most N attempts.
const MAX_ATTEMPTS = 10;

/**
 * Runs a write against the head of branch `ref` and commits it with that head as the expected
 * hash. The version store rebases over unrelated commits itself; when one of our keys changed
 * meanwhile (a per-key conflict), the whole plan is made again from the new head — requirements are
 * checked anew, so a client's stale view still fails cleanly with a 409 CommitFailedException.
 * Tags and `@hash` refs are read-only.
 */
export async function writeOnBranch<T>(
  ctx: CatalogContext,
  ref: string,
  meta: CommitMetaInput,
  plan: (head: string) => Promise<WritePlan<T>>,
): Promise<T> {
  const spec = parseRefSpec(ref);
  const name = spec.name ?? (spec.defaultBranch ? ctx.store.defaultBranch : undefined);
  if (spec.hash !== undefined || spec.relative.length > 0 || name === undefined) throw readOnlyRef(ref);
  for (let attempt = 1; ; attempt++) {
    const head = await ctx.store.getReference(name);
    if (head.type !== "BRANCH") throw readOnlyRef(ref);
    const p = await plan(head.hash);
    if (p.operations.length === 0) return p.result;
    try {
      await ctx.store.commit(name, head.hash, meta, p.operations);
      return p.result;
    } catch (e) {
      if (!cleanlyRefused(e)) throw e;
      await Promise.all((p.written ?? []).map((f) => ctx.files.discard(f)));
      if (!isFloeError(e, "REFERENCE_CONFLICT")) throw e;
      if (attempt >= MAX_ATTEMPTS)
        throw commitFailed(`Commit failed after ${attempt} attempts: concurrent changes: ${e.message}`);
    }
  }
}
