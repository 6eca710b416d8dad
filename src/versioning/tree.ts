import { stringifyJson } from "../core/json.ts";
import { sha256Hex } from "./hash.ts";
import type { Content } from "./model.ts";

/**
 * The persistent key tree of a commit: a Merkle search tree. Every key has a level (the number of
 * leading zero hex digits of SHA-256 of the key); a node holds the keys of one level in order, and
 * the gaps between them hold subtrees of lower-level keys. The shape depends only on the set of
 * keys, never on the order of the edits that produced it, so equal trees have equal root hashes,
 * two commits share every unchanged subtree, an edit rewrites only the nodes on one path
 * (O(log n), fan-out 16), and a diff skips every subtree whose hash is the same on both sides.
 *
 * Keys here are encoded keys (`keys.ts`): strings whose order is the content-key order.
 */
export interface TreeNode {
  /** Entries in key order: key, value, and the subtree of keys between the previous entry and this one. */
  readonly e: ReadonlyArray<readonly [key: string, value: Content, left: string | null]>;
  /** The subtree of keys after the last entry. */
  readonly r: string | null;
}

export type NodeLoader = (hash: string) => Promise<TreeNode>;

const levelCache = new Map<string, number>();

export function keyLevel(key: string): number {
  let level = levelCache.get(key);
  if (level === undefined) {
    const h = sha256Hex(key);
    level = 0;
    while (level < h.length && h.charCodeAt(level) === 48 /* '0' */) level++;
    if (levelCache.size > 200_000) levelCache.clear();
    levelCache.set(key, level);
  }
  return level;
}

const nodeJsonCache = new WeakMap<TreeNode, string>();

/**
 * A node's stored form, which is also what its hash covers: contents are already canonical (see
 * `canonicalize`) and `{e, r}` has a fixed order. 64-bit integers in contents stay exact.
 */
export function nodeJson(node: TreeNode): string {
  let json = nodeJsonCache.get(node);
  if (json === undefined) nodeJsonCache.set(node, (json = stringifyJson({ e: node.e, r: node.r })));
  return json;
}

export function hashNode(node: TreeNode): string {
  return sha256Hex(nodeJson(node));
}

/** Index of the first entry whose key is >= `key` (entries.length if none). */
function lowerBound(node: TreeNode, key: string): number {
  let lo = 0;
  let hi = node.e.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (node.e[mid]![0] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const gapAt = (node: TreeNode, i: number): string | null => (i < node.e.length ? node.e[i]![2] : node.r);

function withGap(node: TreeNode, i: number, gap: string | null): TreeNode {
  if (i === node.e.length) return { e: node.e, r: gap };
  const e = node.e.slice();
  const [k, v] = e[i]!;
  e[i] = [k, v, gap];
  return { e, r: node.r };
}

/** Reads a tree: lookups and ordered range scans. */
export class TreeReader {
  constructor(protected readonly load: NodeLoader) {}

  async get(root: string | null, key: string): Promise<Content | undefined> {
    let h = root;
    while (h !== null) {
      const node = await this.load(h);
      const i = lowerBound(node, key);
      if (i < node.e.length && node.e[i]![0] === key) return node.e[i]![1];
      h = gapAt(node, i);
    }
    return undefined;
  }

  /** Entries with lo <= key < hi (either bound optional), in key order. */
  async *range(root: string | null, lo?: string, hi?: string): AsyncGenerator<[string, Content]> {
    if (root === null) return;
    const node = await this.load(root);
    for (const [k, v, left] of node.e) {
      // Every key in `left` is below k: skip it when k <= lo.
      if (left !== null && (lo === undefined || k > lo)) yield* this.range(left, lo, hi);
      if (hi !== undefined && k >= hi) return;
      if (lo === undefined || k >= lo) yield [k, v];
    }
    yield* this.range(node.r, lo, hi);
  }

  /** True if any key lies in [lo, hi). */
  async anyInRange(root: string | null, lo: string, hi: string): Promise<boolean> {
    for await (const _ of this.range(root, lo, hi)) return true;
    return false;
  }
}

/**
 * Edits trees. New nodes are kept in `pending` until `reachable(root)` hands over those the final
 * root still uses, for the caller to store; intermediate nodes of a batch of edits are dropped.
 */
export class TreeWriter extends TreeReader {
  readonly pending = new Map<string, TreeNode>();

  constructor(load: NodeLoader) {
    const pending = new Map<string, TreeNode>();
    super(async (h) => pending.get(h) ?? load(h));
    this.pending = pending;
  }

  private store(node: TreeNode): string | null {
    if (node.e.length === 0) return node.r;
    const h = hashNode(node);
    this.pending.set(h, node);
    return h;
  }

  async put(root: string | null, key: string, value: Content): Promise<string | null> {
    const level = keyLevel(key);
    if (root === null) return this.store({ e: [[key, value, null]], r: null });
    const node = await this.load(root);
    const nodeLevel = keyLevel(node.e[0]![0]);
    if (level > nodeLevel) {
      const [left, right] = await this.split(root, key);
      return this.store({ e: [[key, value, left]], r: right });
    }
    const i = lowerBound(node, key);
    if (level === nodeLevel) {
      const e = node.e.slice();
      if (i < e.length && e[i]![0] === key) {
        e[i] = [key, value, e[i]![2]];
        return this.store({ e, r: node.r });
      }
      const [a, b] = await this.split(gapAt(node, i), key);
      if (i < e.length) {
        const [nk, nv] = e[i]!;
        e.splice(i, 1, [key, value, a], [nk, nv, b]);
        return this.store({ e, r: node.r });
      }
      e.push([key, value, a]);
      return this.store({ e, r: b });
    }
    return this.store(withGap(node, i, await this.put(gapAt(node, i), key, value)));
  }

  async delete(root: string | null, key: string): Promise<string | null> {
    if (root === null) return null;
    const node = await this.load(root);
    const level = keyLevel(key);
    const nodeLevel = keyLevel(node.e[0]![0]);
    if (level > nodeLevel) return root;
    const i = lowerBound(node, key);
    if (level < nodeLevel) {
      const gap = gapAt(node, i);
      const next = await this.delete(gap, key);
      return next === gap ? root : this.store(withGap(node, i, next));
    }
    if (i === node.e.length || node.e[i]![0] !== key) return root;
    const merged = await this.merge(node.e[i]![2], gapAt(node, i + 1));
    const e = node.e.slice();
    e.splice(i, 1);
    return this.store(withGap({ e, r: node.r }, i, merged));
  }

  /** Splits a tree into the keys below `key` and the keys above it (`key` itself is not in it). */
  private async split(root: string | null, key: string): Promise<[string | null, string | null]> {
    if (root === null) return [null, null];
    const node = await this.load(root);
    const i = lowerBound(node, key);
    const [a, b] = await this.split(gapAt(node, i), key);
    const left = this.store({ e: node.e.slice(0, i), r: a });
    const right = i < node.e.length ? this.store(withGap({ e: node.e.slice(i), r: node.r }, 0, b)) : b;
    return [left, right];
  }

  /** Joins two trees where every key of `a` is below every key of `b`. */
  private async merge(a: string | null, b: string | null): Promise<string | null> {
    if (a === null) return b;
    if (b === null) return a;
    const na = await this.load(a);
    const nb = await this.load(b);
    const la = keyLevel(na.e[0]![0]);
    const lb = keyLevel(nb.e[0]![0]);
    if (la > lb) return this.store({ e: na.e, r: await this.merge(na.r, b) });
    if (la < lb) return this.store(withGap(nb, 0, await this.merge(a, nb.e[0]![2])));
    const joined = withGap(nb, 0, await this.merge(na.r, nb.e[0]![2]));
    return this.store({ e: [...na.e, ...joined.e], r: joined.r });
  }

  /** The pending nodes that `root` reaches, i.e. the ones a commit must store. */
  reachable(root: string | null): Map<string, TreeNode> {
    const out = new Map<string, TreeNode>();
    const walk = (h: string | null) => {
      if (h === null || out.has(h)) return;
      const node = this.pending.get(h);
      if (!node) return; // already stored
      out.set(h, node);
      for (const [, , left] of node.e) walk(left);
      walk(node.r);
    };
    walk(root);
    return out;
  }
}
