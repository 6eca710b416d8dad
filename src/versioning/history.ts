import type { HashedCommit } from "./objects.ts";

export type CommitSource = (hash: string) => Promise<HashedCommit>;

/**
 * Whether `target` is on the first-parent chain of `head` (or is `head`). Sequence numbers bound
 * the walk: it stops as soon as it passes target's depth.
 */
export async function onFirstParentChain(
  load: CommitSource,
  head: HashedCommit,
  target: HashedCommit,
): Promise<boolean> {
  let c = head;
  while (c.seq > target.seq) {
    const parent = c.parents[0];
    if (parent === undefined) return false;
    c = await load(parent);
  }
  return c.hash === target.hash;
}

/**
 * The best common ancestor of two commits over all parents (merge commits have the merged source
 * as second parent, so a second merge from the same source starts where the first ended). Walks
 * both histories newest-first by sequence number, like git's merge-base.
 */
export async function mergeBase(load: CommitSource, a: HashedCommit, b: HashedCommit): Promise<HashedCommit> {
  const marks = new Map<string, number>();
  const queue: HashedCommit[] = [];
  const push = (c: HashedCommit, mark: number) => {
    const had = marks.get(c.hash) ?? 0;
    if ((had | mark) === had) return;
    marks.set(c.hash, had | mark);
    queue.push(c);
  };
  push(a, 1);
  push(b, 2);
  while (queue.length > 0) {
    let best = 0;
    for (let i = 1; i < queue.length; i++) if (queue[i]!.seq > queue[best]!.seq) best = i;
    const c = queue.splice(best, 1)[0]!;
    const mark = marks.get(c.hash)!;
    if (mark === 3) return c;
    for (const p of c.parents) push(await load(p), mark);
  }
  // Unrelated histories meet at the no-ancestor commit, which every root commit has as parent.
  throw new Error("histories without a common ancestor");
}
