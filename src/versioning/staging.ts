import { FloeError } from "../core/errors.ts";
import type { CommitTrees } from "./commit-trees.ts";
import type { HashedCommit, ObjectStore } from "./objects.ts";
import { type TreeHandle, storedTree } from "./tree-handle.ts";

/**
 * The commits of a batch being prepared but not yet stored. Reads see them first, so a batch of
 * commits can be built one on top of another before a single write and a single ref swap.
 */
export class Staging {
  readonly commits = new Map<string, HashedCommit>();
  private readonly handles = new Map<string, TreeHandle>();

  constructor(
    private readonly objects: ObjectStore,
    private readonly trees: CommitTrees,
  ) {}

  async findCommit(hash: string): Promise<HashedCommit | undefined> {
    return this.commits.get(hash) ?? this.objects.findCommit(hash);
  }

  readonly commit = async (hash: string): Promise<HashedCommit> => {
    const c = await this.findCommit(hash);
    if (!c) throw new FloeError("REFERENCE_NOT_FOUND", `Commit '${hash}' not found`);
    return c;
  };

  async treeOf(c: HashedCommit): Promise<TreeHandle> {
    return this.handles.get(c.hash) ?? this.trees.of(c, this.commit);
  }

  add(c: HashedCommit, tree: TreeHandle): void {
    this.commits.set(c.hash, c);
    this.handles.set(c.hash, tree);
  }

  /** The KV entries to store with the ref swap: all staged commits, and the tree of `head`. */
  entries(head: string): Array<[string, Uint8Array]> {
    const tree = this.handles.get(head)!;
    return this.objects.encode(tree.virtual, this.commits.values(), { commit: head, root: tree.root });
  }

  /** Caches what was stored; the other commits' trees stay available as handles. */
  stored(head: string): void {
    const tree = this.handles.get(head)!;
    this.objects.remember(tree.virtual, this.commits.values(), { commit: head, root: tree.root });
    for (const [hash, handle] of this.handles)
      this.trees.remember(hash, hash === head ? storedTree(handle.root) : handle);
  }
}
