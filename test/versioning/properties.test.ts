import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { openKvStore } from "../../src/storage/open-kv.ts";
import type { Operation } from "../../src/versioning/model.ts";
import { type VersionStore, openVersionStore } from "../../src/versioning/version-store.ts";

let store: VersionStore;
let n = 0;

beforeAll(async () => {
  store = await openVersionStore(await openKvStore("pglite:memory"));
});

const KEYS = ["a", "b", "c", "d", "e", "f", "g", "h"];

async function newBranch(from: string): Promise<string> {
  const name = `p${++n}`;
  await store.createReference(name, "BRANCH", from);
  return name;
}

const head = async (b: string) => (await store.getReference(b)).hash;

/** The tree at `hash` as key → metadataLocation. */
async function snapshot(hash: string): Promise<Record<string, unknown>> {
  const { items } = await store.entries(hash);
  return Object.fromEntries(
    items.map((e) => [e.key.join("."), e.content.metadataLocation ?? e.content.type]),
  );
}

/** Writes location `v` to key `k` under namespace "ns", creating or updating it, or deletes it (v = null). */
async function write(branch: string, changes: Array<[string, string | null]>, expected?: string) {
  const h = expected ?? (await head(branch));
  const current = new Map(
    (await store.entries(h, { prefixKey: ["ns"] })).items.map((e) => [e.key.join("."), e.content.id]),
  );
  const ops: Operation[] = [];
  for (const [k, v] of changes) {
    const id = current.get(`ns.${k}`);
    if (v === null) {
      if (id) ops.push({ type: "DELETE", key: ["ns", k] });
    } else
      ops.push({
        type: "PUT",
        key: ["ns", k],
        content: { type: "ICEBERG_TABLE", metadataLocation: v, ...(id ? { id } : {}) },
      });
  }
  if (ops.length === 0) return h;
  return (await store.commit(branch, h, {}, ops)).targetBranch.hash;
}

async function base(): Promise<string> {
  const b = await newBranch(store.noAncestorHash);
  return (
    await store.commit(b, store.noAncestorHash, {}, [
      { type: "PUT", key: ["ns"], content: { type: "NAMESPACE" } },
    ])
  ).targetBranch.hash;
}

const changesArb = fc.uniqueArray(
  fc.tuple(fc.constantFrom(...KEYS), fc.option(fc.constantFrom("x", "y", "z"))),
  {
    selector: (t) => t[0],
    maxLength: KEYS.length,
  },
);

describe("version store properties", () => {
  it("merging disjoint changes in either order gives the same tree", async () => {
    await fc.assert(
      fc.asyncProperty(changesArb, changesArb, changesArb, async (initial, left, right) => {
        const root = await base();
        const start = await write(await newBranch(root), initial);
        const leftKeys = new Set(left.map((c) => c[0]));
        const rightOnly = right.filter((c) => !leftKeys.has(c[0]));
        const l = await newBranch(start);
        const r = await newBranch(start);
        const lh = await write(l, left);
        const rh = await write(r, rightOnly);
        const t1 = await newBranch(start);
        const t2 = await newBranch(start);
        const a = await store.merge(t1, start, l, lh);
        const a2 = await store.merge(t1, a.resultantTargetHash, r, rh);
        const b = await store.merge(t2, start, r, rh);
        const b2 = await store.merge(t2, b.resultantTargetHash, l, lh);
        expect(await snapshot(a2.resultantTargetHash)).toEqual(await snapshot(b2.resultantTargetHash));
      }),
      { numRuns: 15 },
    );
  });

  it("a rejected commit changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(changesArb, changesArb, async (initial, changes) => {
        const b = await newBranch(await base());
        const h = await write(b, initial);
        const before = await snapshot(h);
        // A DELETE of a missing key next to valid changes: the whole commit must fail.
        const ops: Operation[] = [
          { type: "DELETE", key: ["ns", "missing"] },
          ...changes.map(
            ([k]) =>
              ({
                type: "PUT",
                key: ["ns", `new-${k}`],
                content: { type: "ICEBERG_TABLE", metadataLocation: "n" },
              }) as Operation,
          ),
        ];
        await expect(store.commit(b, h, {}, ops)).rejects.toMatchObject({ kind: "REFERENCE_CONFLICT" });
        expect(await head(b)).toBe(h);
        expect(await snapshot(await head(b))).toEqual(before);
      }),
      { numRuns: 15 },
    );
  });

  it("random interleavings of concurrent commits lose no acknowledged commit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.nat(3)), { minLength: 1, maxLength: 25 }),
        async (writes) => {
          const b = await newBranch(await base());
          const start = await head(b);
          // Every writer starts from the same (soon stale) expected hash.
          const results = await Promise.allSettled(
            writes.map(async ([k, delay], i) => {
              await new Promise((r) => setTimeout(r, delay));
              return store.commit(b, start, { message: `w${i}` }, [
                {
                  type: "PUT",
                  key: ["ns", `${k}${i}`],
                  content: { type: "ICEBERG_TABLE", metadataLocation: `v${i}` },
                },
              ]);
            }),
          );
          expect(results.every((r) => r.status === "fulfilled")).toBe(true);
          const tree = await snapshot(await head(b));
          writes.forEach(([k], i) => expect(tree[`ns.${k}${i}`]).toBe(`v${i}`));
          const log = await store.log(await head(b));
          expect(log.items).toHaveLength(writes.length + 1);
        },
      ),
      { numRuns: 15 },
    );
  });
});
