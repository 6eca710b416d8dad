import { encodeKey } from "./keys.ts";
import { Lru } from "./lru.ts";
import type { HashedCommit, ObjectStore } from "./objects.ts";
import { TreeWriter } from "./tree.ts";
import { type TreeHandle, collectVirtual, loaderFor, storedTree } from "./tree-handle.ts";

/**
 * Finds the tree of any commit. A commit whose tree was stored (every batch's last commit) has it
 * under `t:<hash>`; any other commit's tree is its first parent's tree with its own operations
 * replayed, so the replay is at most one batch long.
 */
export class CommitTrees {
  private readonly cache = new Lru<string, TreeHandle>(2048);

  constructor(private readonly objects: ObjectStore) {}

  async of(c: HashedCommit, commitOf: (hash: string) => Promise<HashedCommit>): Promise<TreeHandle> {
    const cached = this.cache.get(c.hash);
    if (cached) return cached;
    const root = await this.objects.storedTree(c.hash);
    let handle: TreeHandle;
    if (root !== undefined) {
      handle = storedTree(root);
    } else {
      const parent = await this.of(await commitOf(c.parents[0]!), commitOf);
      const writer = new TreeWriter(loaderFor(this.objects.loadNode, parent));
      let r = parent.root;
      for (const op of c.ops)
        r =
          op.type === "PUT"
            ? await writer.put(r, encodeKey(op.key), op.content)
            : await writer.delete(r, encodeKey(op.key));
      handle = { root: r, virtual: collectVirtual(r, parent.virtual, writer.pending) };
    }
    this.cache.set(c.hash, handle);
    return handle;
  }

  remember(hash: string, handle: TreeHandle): void {
    this.cache.set(hash, handle);
  }
}
