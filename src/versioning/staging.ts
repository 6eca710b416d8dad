import { FloeError } from "../core/errors.ts";
import type { HashedCommit, ObjectStore } from "./objects.ts";
import type { TreeNode, TreeWriter } from "./tree.ts";

/**
 * The objects of commits being prepared but not yet stored. Reads see them first, so a batch of
 * commits can be built one on top of another before a single write and a single ref swap.
 */
export class Staging {
  readonly nodes = new Map<string, TreeNode>();
  readonly commits = new Map<string, HashedCommit>();

  constructor(private readonly objects: ObjectStore) {}

  readonly loadNode = async (hash: string): Promise<TreeNode> =>
    this.nodes.get(hash) ?? this.objects.loadNode(hash);

  async findCommit(hash: string): Promise<HashedCommit | undefined> {
    return this.commits.get(hash) ?? this.objects.findCommit(hash);
  }

  async commit(hash: string): Promise<HashedCommit> {
    const c = await this.findCommit(hash);
    if (!c) throw new FloeError("REFERENCE_NOT_FOUND", `Commit '${hash}' not found`);
    return c;
  }

  addTree(writer: TreeWriter, root: string | null): void {
    for (const [h, n] of writer.reachable(root)) this.nodes.set(h, n);
  }

  addCommit(c: HashedCommit): void {
    this.commits.set(c.hash, c);
  }

  /** The KV entries of everything staged (content-addressed and put-if-absent: safe to repeat). */
  entries(): Array<[string, Uint8Array]> {
    return this.objects.encode(this.nodes, this.commits.values());
  }

  /** Caches everything staged, once it is stored. */
  stored(): void {
    this.objects.remember(this.nodes, this.commits.values());
  }
}
