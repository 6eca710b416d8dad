/**
 * The data model of the version store. It is Nessie's (API v2), so Nessie clients work unchanged:
 * content keys are lists of elements, contents carry a stable id, commits carry Nessie's CommitMeta.
 */

/** A content key: one or more non-empty elements, e.g. ["sales", "orders"]. Checked by `checkKey`. */
export type ContentKey = readonly string[];

export type ContentType = "ICEBERG_TABLE" | "ICEBERG_VIEW" | "NAMESPACE" | "DELTA_LAKE_TABLE" | "UDF";
export const CONTENT_TYPES: readonly ContentType[] = [
  "ICEBERG_TABLE",
  "ICEBERG_VIEW",
  "NAMESPACE",
  "DELTA_LAKE_TABLE",
  "UDF",
];

/**
 * A content value exactly as Nessie's JSON has it: `type`, `id` (assigned by the server on first
 * PUT) and the type's own fields, e.g. for ICEBERG_TABLE metadataLocation, snapshotId, schemaId,
 * specId, sortOrderId; for NAMESPACE elements and properties.
 */
export interface Content {
  readonly type: ContentType;
  readonly id: string;
  readonly [field: string]: unknown;
}

/** A content as a client sends it in a PUT: the id may be absent (new content). */
export type ContentInput = Omit<Content, "id"> & { readonly id?: string };

export type Operation =
  | { readonly type: "PUT"; readonly key: ContentKey; readonly content: ContentInput }
  | { readonly type: "DELETE"; readonly key: ContentKey }
  | { readonly type: "UNCHANGED"; readonly key: ContentKey };

/** Commit metadata as clients send it; the store fills the rest. */
export interface CommitMetaInput {
  readonly message?: string;
  readonly committer?: string;
  readonly authors?: readonly string[];
  readonly allSignedOffBy?: readonly string[];
  readonly authorTime?: string;
  readonly properties?: Readonly<Record<string, string>>;
  readonly allProperties?: Readonly<Record<string, readonly string[]>>;
}

/** Nessie's CommitMeta as returned to clients. Times are ISO-8601 instants. */
export interface CommitMeta {
  readonly hash: string;
  readonly committer: string;
  readonly authors: readonly string[];
  readonly allSignedOffBy: readonly string[];
  readonly message: string;
  readonly commitTime: string;
  readonly authorTime: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly allProperties: Readonly<Record<string, readonly string[]>>;
  readonly parentCommitHashes: readonly string[];
}

export type ReferenceType = "BRANCH" | "TAG";

export interface Reference {
  readonly type: ReferenceType;
  readonly name: string;
  readonly hash: string;
}

/** What `fetch=ALL` adds to a reference (Nessie's ReferenceMetadata). */
export interface ReferenceMetadata {
  readonly numCommitsAhead?: number;
  readonly numCommitsBehind?: number;
  readonly commitMetaOfHEAD?: CommitMeta;
  readonly commonAncestorHash?: string;
  readonly numTotalCommits: number;
}

/** One entry of a commit log. `operations` only when asked for (fetch=ALL). */
export interface LogEntry {
  readonly commitMeta: CommitMeta;
  readonly parentCommitHash: string;
  readonly additionalParents: readonly string[];
  readonly operations?: readonly Operation[];
}

export interface Entry {
  readonly key: ContentKey;
  readonly content: Content;
}

export interface DiffEntry {
  readonly key: ContentKey;
  readonly from: Content | null;
  readonly to: Content | null;
}

export interface Page<T> {
  readonly items: T[];
  /** Opaque token for the next page; undefined when this is the last page. */
  readonly token?: string;
}

/** Key range selection shared by entries and diff. `prefixKey` cannot be combined with min/max. */
export interface KeyRange {
  readonly keys?: readonly ContentKey[];
  readonly minKey?: ContentKey;
  readonly maxKey?: ContentKey;
  readonly prefixKey?: ContentKey;
}

export type MergeBehavior = "NORMAL" | "FORCE" | "DROP";

export interface KeyMergeMode {
  readonly key: ContentKey;
  readonly mergeBehavior: MergeBehavior;
  /** The content the client expects on the target for this key (null = expects absent). */
  readonly expectedTargetContent?: Content | null;
  /** The content to put on the target for this key, resolving a conflict (null = delete). */
  readonly resolvedContent?: Content | null;
}

export interface MergeOptions {
  readonly message?: string;
  readonly commitMeta?: CommitMetaInput;
  readonly defaultKeyMergeMode?: MergeBehavior;
  readonly keyMergeModes?: readonly KeyMergeMode[];
  readonly dryRun?: boolean;
  readonly returnConflictAsResult?: boolean;
}

/** Nessie's ContentKeyConflict / key details of a MergeResponse. */
export interface MergeKeyDetails {
  readonly key: ContentKey;
  readonly mergeBehavior: MergeBehavior;
  readonly conflict?: { conflictType: string; key: ContentKey; message: string };
}

/** Nessie's MergeResponse. */
export interface MergeResult {
  readonly wasApplied: boolean;
  readonly wasSuccessful: boolean;
  readonly resultantTargetHash: string;
  readonly commonAncestor?: string;
  readonly targetBranch: string;
  readonly effectiveTargetHash: string;
  readonly expectedHash: string;
  readonly details: readonly MergeKeyDetails[];
}

export interface CommitResult {
  readonly targetBranch: Reference;
  /** Keys whose content was new in this commit, with the ids the server assigned. */
  readonly addedContents: ReadonlyArray<{ key: ContentKey; contentId: string }>;
}
