import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Content } from "../../src/versioning/model.ts";
import { type TreeNode, TreeWriter } from "../../src/versioning/tree.ts";
import { diffTrees } from "../../src/versioning/tree-diff.ts";

const val = (n: number): Content => ({ type: "NAMESPACE", id: `id-${n}`, elements: [`v${n}`] });

/** A tree writer over an in-memory node map that keeps every node it is handed. */
function memTree() {
  const nodes = new Map<string, TreeNode>();
  const load = async (h: string) => {
    const n = nodes.get(h);
    if (!n) throw new Error(`missing node ${h}`);
    return n;
  };
  const writer = () => new TreeWriter(load);
  const flush = (w: TreeWriter, root: string | null) => {
    for (const [h, n] of w.reachable(root)) nodes.set(h, n);
  };
  return { load, writer, flush };
}

async function apply(
  t: ReturnType<typeof memTree>,
  root: string | null,
  ops: Array<[string, number | null]>,
): Promise<string | null> {
  const w = t.writer();
  for (const [k, v] of ops) root = v === null ? await w.delete(root, k) : await w.put(root, k, val(v));
  t.flush(w, root);
  return root;
}

async function entries(t: ReturnType<typeof memTree>, root: string | null) {
  const out: Array<[string, string]> = [];
  for await (const [k, v] of t.writer().range(root)) out.push([k, v.id]);
  return out;
}

const opsArb = fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.option(fc.nat(5))), {
  maxLength: 200,
});

describe("Merkle search tree", () => {
  it("behaves like a sorted map", async () => {
    await fc.assert(
      fc.asyncProperty(opsArb, async (ops) => {
        const t = memTree();
        const root = await apply(t, null, ops);
        const model = new Map<string, string>();
        for (const [k, v] of ops) {
          if (v === null) model.delete(k);
          else model.set(k, `id-${v}`);
        }
        const expected = [...model.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        expect(await entries(t, root)).toEqual(expected);
        for (const [k, id] of expected) expect((await t.writer().get(root, k))?.id).toBe(id);
      }),
      { numRuns: 150 },
    );
  });

  it("has one shape per content: the root hash does not depend on edit order", async () => {
    await fc.assert(
      fc.asyncProperty(opsArb, fc.integer(), async (ops, seed) => {
        const t = memTree();
        const root = await apply(t, null, ops);
        // Rebuild the final map from scratch, inserting in a shuffled order.
        const final = new Map<string, number>();
        for (const [k, v] of ops) {
          if (v === null) final.delete(k);
          else final.set(k, v);
        }
        const shuffled = [...final.entries()].sort(
          (a, b) => ((a[0].charCodeAt(0) * 31 + seed) % 97) - ((b[0].charCodeAt(0) * 31 + seed) % 97),
        );
        const rebuilt = await apply(t, null, shuffled);
        expect(rebuilt).toBe(root);
      }),
      { numRuns: 150 },
    );
  });

  it("diff(a, b) applied to a gives b", async () => {
    await fc.assert(
      fc.asyncProperty(opsArb, opsArb, async (opsA, opsB) => {
        const t = memTree();
        const a = await apply(t, null, opsA);
        const b = await apply(t, a, opsB);
        const changes: Array<[string, number | null]> = [];
        for await (const c of diffTrees(a, b, t.load)) {
          changes.push([c.key, c.to === undefined ? null : Number(c.to.id.slice(3))]);
          expect(c.from?.id).toBe((await t.writer().get(a, c.key))?.id);
        }
        expect(await apply(t, a, changes)).toBe(b);
      }),
      { numRuns: 150 },
    );
  });

  it("scans ranges", async () => {
    const t = memTree();
    const keys = Array.from({ length: 500 }, (_, i) => `k${String(i).padStart(4, "0")}`);
    const root = await apply(
      t,
      null,
      keys.map((k, i) => [k, i]),
    );
    const got: string[] = [];
    for await (const [k] of t.writer().range(root, "k0100", "k0200")) got.push(k);
    expect(got).toEqual(keys.slice(100, 200));
  });
});
