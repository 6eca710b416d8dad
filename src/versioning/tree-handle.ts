import type { NodeLoader, TreeNode } from "./tree.ts";

/**
 * The tree of one commit: its root, plus the nodes it needs that are not stored. Only the last
 * commit of a batch gets its tree stored; the trees of the commits before it are derived from their
 * parent's tree and their operations when needed (see `CommitTrees`), and live as handles.
 */
export interface TreeHandle {
  readonly root: string | null;
  readonly virtual: ReadonlyMap<string, TreeNode>;
}

const NONE: ReadonlyMap<string, TreeNode> = new Map();

export const storedTree = (root: string | null): TreeHandle => ({ root, virtual: NONE });

/** A loader that finds the handles' own nodes first, then stored ones. */
export function loaderFor(stored: NodeLoader, ...handles: TreeHandle[]): NodeLoader {
  const withNodes = handles.filter((h) => h.virtual.size > 0);
  if (withNodes.length === 0) return stored;
  return async (hash) => {
    for (const h of withNodes) {
      const n = h.virtual.get(hash);
      if (n) return n;
    }
    return stored(hash);
  };
}

/** The nodes under `root` found in `maps` (the rest are stored): what a new handle must keep. */
export function collectVirtual(
  root: string | null,
  ...maps: ReadonlyMap<string, TreeNode>[]
): Map<string, TreeNode> {
  const out = new Map<string, TreeNode>();
  const walk = (h: string | null) => {
    if (h === null || out.has(h)) return;
    let node: TreeNode | undefined;
    for (const m of maps) if ((node = m.get(h))) break;
    if (!node) return;
    out.set(h, node);
    for (const [, , left] of node.e) walk(left);
    walk(node.r);
  };
  walk(root);
  return out;
}
