import { sameContent } from "./content.ts";
import type { Content } from "./model.ts";
import type { NodeLoader } from "./tree.ts";

type Item = { tree: string } | { key: string; value: Content };

/** Walks a tree in key order as a stack of entries and not-yet-opened subtrees. */
class Cursor {
  private readonly stack: Item[] = [];
  constructor(
    root: string | null,
    private readonly load: NodeLoader,
  ) {
    if (root !== null) this.stack.push({ tree: root });
  }
  peek(): Item | undefined {
    return this.stack[this.stack.length - 1];
  }
  pop(): void {
    this.stack.pop();
  }
  async open(): Promise<void> {
    const top = this.stack.pop() as { tree: string };
    const node = await this.load(top.tree);
    if (node.r !== null) this.stack.push({ tree: node.r });
    for (let i = node.e.length - 1; i >= 0; i--) {
      const [key, value, left] = node.e[i]!;
      this.stack.push({ key, value });
      if (left !== null) this.stack.push({ tree: left });
    }
  }
}

export interface TreeChange {
  key: string;
  from: Content | undefined;
  to: Content | undefined;
}

/**
 * The keys whose values differ between two trees, in key order. Subtrees with the same hash on
 * both sides are skipped unopened, so the cost follows the size of the change.
 */
export async function* diffTrees(
  a: string | null,
  b: string | null,
  load: NodeLoader,
): AsyncGenerator<TreeChange> {
  const ca = new Cursor(a, load);
  const cb = new Cursor(b, load);
  for (;;) {
    const x = ca.peek();
    const y = cb.peek();
    if (x === undefined && y === undefined) return;
    if (x && y && "tree" in x && "tree" in y && x.tree === y.tree) {
      ca.pop();
      cb.pop();
      continue;
    }
    if (x && "tree" in x) {
      await ca.open();
      if (y && "tree" in y) await cb.open();
      continue;
    }
    if (y && "tree" in y) {
      await cb.open();
      continue;
    }
    const ex = x as { key: string; value: Content } | undefined;
    const ey = y as { key: string; value: Content } | undefined;
    if (ey === undefined || (ex !== undefined && ex.key < ey.key)) {
      yield { key: ex!.key, from: ex!.value, to: undefined };
      ca.pop();
    } else if (ex === undefined || ey.key < ex.key) {
      yield { key: ey.key, from: undefined, to: ey.value };
      cb.pop();
    } else {
      if (!sameContent(ex.value, ey.value)) yield { key: ex.key, from: ex.value, to: ey.value };
      ca.pop();
      cb.pop();
    }
  }
}
