import type { KvTimingListener } from "../storage/timed-kv.ts";
import type {
  CommitMeta,
  CommitMetaInput,
  CommitResult,
  Content,
  ContentKey,
  DiffEntry,
  Entry,
  KeyRange,
  LogEntry,
  MergeOptions,
  MergeResult,
  Operation,
  Page,
  Reference,
  ReferenceMetadata,
  ReferenceType,
} from "./model.ts";
import type { RefSpec } from "./ref-spec.ts";

/** A ref spec resolved to a commit: `reference` is absent for a detached hash (`@hash`). */
export interface Resolved {
  readonly reference?: Reference;
  readonly hash: string;
}

export interface PageRequest {
  readonly maxRecords?: number;
  readonly pageToken?: string;
}

/**
 * The git-like version store: what the HTTP layer, the catalog and the CLI use. Everything below
 * it (trees, commits, the KV) is private to `versioning/`.
 *
 * Errors are `FloeError`s: REFERENCE_NOT_FOUND (unknown ref or hash, or a hash not on the named
 * ref), REFERENCE_ALREADY_EXISTS, REFERENCE_CONFLICT (expected hash is not the head for
 * assign/delete, or per-key conflicts for commit/merge/transplant, listed in `conflicts`),
 * BAD_REQUEST (invalid names, keys, hashes, operations), CONTENT_NOT_FOUND.
 */
export interface VersionStoreApi {
  readonly defaultBranch: string;
  readonly noAncestorHash: string;
  /** When the repository was created (ISO instant). */
  readonly repositoryCreationTimestamp: string;

  /** Resolves `name`, `-`, `name@hash`, `@hash`, abbreviated hashes and `~N` / `^N` / `*time`. */
  resolve(spec: RefSpec): Promise<Resolved>;

  listReferences(req?: PageRequest): Promise<Page<Reference>>;
  getReference(name: string): Promise<Reference>;
  /** Ahead/behind the default branch, HEAD's commit meta, total commits (fetch=ALL). */
  referenceMetadata(ref: Reference): Promise<ReferenceMetadata>;
  createReference(name: string, type: ReferenceType, hash: string): Promise<Reference>;
  /** Moves `name` to `hash` if its head is `expectedHash`; `type`, when given, must match. */
  assignReference(name: string, expectedHash: string, hash: string, type?: ReferenceType): Promise<Reference>;
  /** Deletes `name` if its head is `expectedHash`; the default branch cannot be deleted. */
  deleteReference(name: string, expectedHash: string, type?: ReferenceType): Promise<Reference>;

  getCommitMeta(hash: string): Promise<CommitMeta>;
  /** First-parent history from `hash`, newest first, ending at (and including) `limitHash`. */
  log(
    hash: string,
    opts?: PageRequest & { limitHash?: string; withOperations?: boolean },
  ): Promise<Page<LogEntry>>;

  /** Entries of the tree at `hash` in key order, optionally with a key range. */
  entries(hash: string, opts?: PageRequest & KeyRange): Promise<Page<Entry>>;
  /** Contents of the given keys at `hash`; missing keys are omitted. */
  getContents(hash: string, keys: readonly ContentKey[]): Promise<Entry[]>;
  /** Keys whose content differs between two commits, in key order. */
  diff(fromHash: string, toHash: string, opts?: PageRequest & KeyRange): Promise<Page<DiffEntry>>;

  /**
   * Commits `operations` to `branch`. `expectedHash` must be reachable from the branch head; each
   * touched key must have the same value at `expectedHash` as at the head (else a per-key
   * conflict). Unrelated concurrent commits are rebased over, with a bounded retry.
   */
  commit(
    branch: string,
    expectedHash: string,
    meta: CommitMetaInput,
    operations: readonly Operation[],
  ): Promise<CommitResult>;
  /** Squashed three-way merge of `fromHash` into `branch` (second parent = `fromHash`). */
  merge(
    branch: string,
    expectedHash: string,
    fromRefName: string,
    fromHash: string,
    opts?: MergeOptions,
  ): Promise<MergeResult>;
  /** Replays the given commits, oldest first, onto `branch`, one new commit each. */
  transplant(
    branch: string,
    expectedHash: string,
    fromRefName: string,
    hashes: readonly string[],
    opts?: MergeOptions,
  ): Promise<MergeResult>;

  /** Counters since start, for `/metrics`: commits made, commits refused by conflicts, ref-swap retries. */
  readonly stats: Readonly<{ commits: number; conflicts: number; retries: number }>;

  /** Registers a listener for the duration of every metadata-store operation (for `/metrics`). */
  onStoreTiming(listener: KvTimingListener): void;

  /** Reachability of the database, for `/readyz`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type { Content };
