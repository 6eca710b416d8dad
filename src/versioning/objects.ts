import { parseJson } from "../core/json.ts";
import { FloeError } from "../core/errors.ts";
import type { KvStore } from "../storage/kv.ts";
import { NO_ANCESTOR_HASH, canonicalJson, sha256Hex } from "./hash.ts";
import { Lru } from "./lru.ts";
import type { Content, ContentKey } from "./model.ts";
import { type TreeNode, nodeJson } from "./tree.ts";

/** An operation as a commit records it (for `log` with fetch=ALL). */
export type StoredOp =
  | { readonly type: "PUT"; readonly key: ContentKey; readonly content: Content }
  | { readonly type: "DELETE"; readonly key: ContentKey };

export interface StoredMeta {
  readonly committer: string;
  readonly authors: readonly string[];
  readonly allSignedOffBy: readonly string[];
  readonly message: string;
  readonly commitTime: string;
  readonly authorTime: string;
  readonly allProperties: Readonly<Record<string, readonly string[]>>;
}

/**
 * A commit as stored: immutable, addressed by the SHA-256 of its canonical JSON. Its tree is not
 * part of it: the tree follows from the parent's tree and `ops`, and is stored for the last commit
 * of each batch (`t:<hash>`, see `CommitTrees`).
 */
export interface CommitObject {
  readonly parents: readonly string[];
  /** Number of commits on the first-parent chain, root commit = 1; the no-ancestor commit = 0. */
  readonly seq: number;
  readonly meta: StoredMeta;
  readonly ops: readonly StoredOp[];
}

export interface HashedCommit extends CommitObject {
  readonly hash: string;
}

const EPOCH = new Date(0).toISOString();

/** The virtual commit before all others. */
export const NO_ANCESTOR: HashedCommit = {
  hash: NO_ANCESTOR_HASH,
  parents: [],
  seq: 0,
  meta: {
    committer: "",
    authors: [],
    allSignedOffBy: [],
    message: "",
    commitTime: EPOCH,
    authorTime: EPOCH,
    allProperties: {},
  },
  ops: [],
};

/** The canonical JSON a commit was hashed from, kept to store exactly those bytes. */
const encoded = new WeakMap<HashedCommit, string>();

export function hashCommit(c: CommitObject): HashedCommit {
  const json = canonicalJson(c);
  const hashed = { ...c, hash: sha256Hex(json) };
  encoded.set(hashed, json);
  return hashed;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const NODE = "n:";
const COMMIT = "c:";
const TREE = "t:";

/**
 * Immutable objects (tree nodes and commits) in the KV, with caches: objects never change, so a
 * cached object is always right.
 */
export class ObjectStore {
  private readonly nodes = new Lru<string, TreeNode>(50_000);
  private readonly commits = new Lru<string, HashedCommit>(50_000);
  private readonly trees = new Lru<string, string | null>(50_000);

  constructor(private readonly kv: KvStore) {}

  readonly loadNode = async (hash: string): Promise<TreeNode> => {
    const cached = this.nodes.get(hash);
    if (cached) return cached;
    const raw = await this.kv.get(NODE + hash);
    if (!raw) throw new FloeError("INTERNAL", `tree node ${hash} is missing from the store`);
    const node = parseJson(dec.decode(raw)) as TreeNode;
    this.nodes.set(hash, node);
    return node;
  };

  /** The commit with this full hash, or undefined. */
  async findCommit(hash: string): Promise<HashedCommit | undefined> {
    if (hash === NO_ANCESTOR_HASH) return NO_ANCESTOR;
    const cached = this.commits.get(hash);
    if (cached) return cached;
    const raw = await this.kv.get(COMMIT + hash);
    if (!raw) return undefined;
    const c = { ...(parseJson(dec.decode(raw)) as CommitObject), hash };
    this.commits.set(hash, c);
    return c;
  }

  /** The stored tree root of a commit: null = empty tree, undefined = not stored (derive it). */
  async storedTree(hash: string): Promise<string | null | undefined> {
    if (hash === NO_ANCESTOR_HASH) return null;
    const cached = this.trees.get(hash);
    if (cached !== undefined) return cached === "" ? null : cached;
    const raw = await this.kv.get(TREE + hash);
    // Whether a visible commit has a stored tree never changes, so "none" is cached too.
    const root = raw === undefined ? "-" : dec.decode(raw);
    this.trees.set(hash, root);
    return root === "-" ? undefined : root === "" ? null : root;
  }

  /** Full hashes of commits starting with `prefix` (at most `limit`). */
  async commitsWithPrefix(prefix: string, limit: number): Promise<string[]> {
    const rows = await this.kv.scan(COMMIT + prefix, { limit });
    const out = rows.map(([k]) => k.slice(COMMIT.length));
    if (NO_ANCESTOR_HASH.startsWith(prefix)) out.unshift(NO_ANCESTOR_HASH);
    return out.slice(0, limit);
  }

  /** The KV entries of new objects, to be stored (put-if-absent) before or with a ref swap. */
  encode(
    nodes: Iterable<[string, TreeNode]>,
    commits: Iterable<HashedCommit>,
    tree: { commit: string; root: string | null },
  ): Array<[string, Uint8Array]> {
    const entries: Array<[string, Uint8Array]> = [[TREE + tree.commit, enc.encode(tree.root ?? "")]];
    for (const [h, n] of nodes) entries.push([NODE + h, enc.encode(nodeJson(n))]);
    for (const c of commits) {
      const { hash, ...body } = c;
      entries.push([COMMIT + hash, enc.encode(encoded.get(c) ?? canonicalJson(body))]);
    }
    return entries;
  }

  /** Caches objects once they are stored. */
  remember(
    nodes: Iterable<[string, TreeNode]>,
    commits: Iterable<HashedCommit>,
    tree: { commit: string; root: string | null },
  ): void {
    this.trees.set(tree.commit, tree.root ?? "");
    for (const [h, n] of nodes) this.nodes.set(h, n);
    for (const c of commits) this.commits.set(c.hash, c);
  }
}
