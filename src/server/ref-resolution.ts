import { badRequest } from "../core/errors.ts";
import type { Resolved, VersionStoreApi } from "../versioning/api.ts";
import type { Reference, ReferenceType } from "../versioning/model.ts";
import { parseRefSpec, printable, type RefSpec } from "../versioning/ref-spec.ts";

/**
 * Turning the ref path elements and reference bodies of requests into commits, with Nessie's
 * rules (HashResolver, HashValidator): reads accept any ref spec; writes need a name and a hash
 * that starts with an absolute commit id ("unambiguous"), so a write never lands on a HEAD the
 * client has not seen.
 */

const FULL_HASH = /^[0-9a-f]{64}$/;

function parseRef(text: string): RefSpec {
  return parseRefSpec(text);
}

export async function resolveForRead(store: VersionStoreApi, text: string): Promise<Resolved> {
  return store.resolve(parseRef(text));
}

/** A path element that must be a plain name (or `-`): get-reference and recent-changes. */
export async function referenceByName(
  store: VersionStoreApi,
  text: string,
  what: string,
): Promise<Reference> {
  const spec = parseRef(text);
  if (spec.hash !== undefined || spec.relative.length > 0) {
    throw badRequest(`Hashes are not allowed when fetching a ${what}`);
  }
  return store.getReference(spec.name ?? store.defaultBranch);
}

/** A commit id with optional relative parts (`abcd1234~2`), as the full hash it names. */
export async function expandHash(store: VersionStoreApi, hashText: string, base?: string): Promise<string> {
  const startsWithId = /^[0-9a-fA-F]/.test(hashText);
  if (!startsWithId && base === undefined) {
    throw badRequest(`hash '${printable(hashText)}' must start with a commit id`);
  }
  return commitOf(store, parseRef(startsWithId ? `@${hashText}` : `@${base}${hashText}`));
}

async function commitOf(store: VersionStoreApi, spec: RefSpec): Promise<string> {
  const hash = spec.hash as string;
  // A full hash is used as given: an unknown expected hash is a conflict for the store to report.
  if (spec.relative.length === 0 && FULL_HASH.test(hash)) return hash;
  return (await store.resolve({ hash, relative: spec.relative })).hash;
}

/**
 * The target of commit, merge, transplant, assign and delete: `name@hash` with the hash required.
 * Returns the reference (at its current HEAD) and the expected hash.
 */
export async function writeTarget(
  store: VersionStoreApi,
  text: string,
  opts: { what: string; mustBeBranch: boolean; type?: ReferenceType },
): Promise<{ ref: Reference; expectedHash: string }> {
  const spec = parseRef(text);
  if (spec.name === undefined && !spec.defaultBranch) {
    throw badRequest(
      `${opts.what} must name a ${opts.mustBeBranch ? "branch" : "branch or tag"}, not a detached commit`,
    );
  }
  if (spec.hash === undefined) {
    throw badRequest(`Expected hash must be provided: write to '${printable(text)}' as name@hash`);
  }
  const ref = await store.getReference(spec.name ?? store.defaultBranch);
  if (opts.mustBeBranch && ref.type !== "BRANCH") throw badRequest(`${opts.what} must be a branch.`);
  if (opts.type !== undefined && opts.type !== ref.type) {
    throw badRequest(
      `Expected reference type ${opts.type} does not match existing reference ${ref.type} ${ref.name}`,
    );
  }
  const expectedHash = await commitOf(store, { hash: spec.hash, relative: spec.relative });
  return { ref, expectedHash };
}

/**
 * The commit a reference body (create, assign) or a merge source names: `name` is looked up (so an
 * unknown name is a 404), the hash is required and must start with a commit id. As in Nessie, the
 * hash is not checked to be on `name`.
 */
export async function sourceCommit(
  store: VersionStoreApi,
  name: string | undefined,
  hash: string | undefined,
  what: string,
): Promise<string> {
  if (name !== undefined && name !== "DETACHED") await store.getReference(name);
  if (hash === undefined) throw badRequest(`${what} hash must be provided.`);
  if (!/^[0-9a-fA-F]/.test(hash)) throw badRequest(`${what} hash must contain a starting commit ID.`);
  return expandHash(store, hash);
}
