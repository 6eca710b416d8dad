import { beforeAll, describe, expect, it } from "vitest";
import { FloeError } from "../../src/core/errors.ts";
import type { KvStore } from "../../src/storage/kv.ts";
import { openKvStore } from "../../src/storage/open-kv.ts";
import type { Content, Operation } from "../../src/versioning/model.ts";
import { parseRefSpec } from "../../src/versioning/ref-spec.ts";
import { type VersionStore, openVersionStore } from "../../src/versioning/version-store.ts";

let store: VersionStore;
let kv: KvStore;
let n = 0;

beforeAll(async () => {
  kv = await openKvStore("pglite:memory");
  store = await openVersionStore(kv);
});

const ns = (...elements: string[]): Operation => ({
  type: "PUT",
  key: elements,
  content: { type: "NAMESPACE" },
});
const table = (key: string[], loc: string, id?: string): Operation => ({
  type: "PUT",
  key,
  content: {
    type: "ICEBERG_TABLE",
    metadataLocation: loc,
    snapshotId: 1,
    schemaId: 0,
    specId: 0,
    sortOrderId: 0,
    ...(id ? { id } : {}),
  },
});

/** A new branch from the no-ancestor hash, so tests do not see each other. */
async function branch(): Promise<string> {
  const name = `b${++n}`;
  await store.createReference(name, "BRANCH", store.noAncestorHash);
  return name;
}

async function head(name: string) {
  return (await store.getReference(name)).hash;
}

async function conflictOf(p: Promise<unknown>) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(FloeError);
  return e as FloeError;
}

describe("version store", () => {
  it("starts with the default branch at the no-ancestor hash", async () => {
    expect(await store.getReference("main")).toEqual({
      type: "BRANCH",
      name: "main",
      hash: store.noAncestorHash,
    });
  });

  it("commits, assigns content ids and lists entries", async () => {
    const b = await branch();
    const r = await store.commit(b, store.noAncestorHash, { message: "first", authors: ["ann"] }, [
      ns("db"),
      table(["db", "t"], "s3://w/t/1.json"),
    ]);
    expect(r.targetBranch.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.addedContents).toHaveLength(2);
    const { items } = await store.entries(r.targetBranch.hash);
    expect(items.map((e) => e.key)).toEqual([["db"], ["db", "t"]]);
    expect(items[1]!.content.id).toBe(r.addedContents.find((a) => a.key[1] === "t")!.contentId);
    const log = await store.log(r.targetBranch.hash, { withOperations: true });
    expect(log.items[0]!.commitMeta.message).toBe("first");
    expect(log.items[0]!.parentCommitHash).toBe(store.noAncestorHash);
    expect(log.items[0]!.operations).toHaveLength(2);
  });

  it("requires namespaces and keeps non-empty ones", async () => {
    const b = await branch();
    const e1 = await conflictOf(store.commit(b, store.noAncestorHash, {}, [table(["nope", "t"], "x")]));
    expect(e1.conflicts[0]!.conflictType).toBe("NAMESPACE_ABSENT");
    const r = await store.commit(b, store.noAncestorHash, {}, [ns("a"), table(["a", "t"], "x")]);
    const e2 = await conflictOf(store.commit(b, r.targetBranch.hash, {}, [{ type: "DELETE", key: ["a"] }]));
    expect(e2.conflicts[0]!.conflictType).toBe("NAMESPACE_NOT_EMPTY");
    expect(await head(b)).toBe(r.targetBranch.hash);
  });

  it("lets a stale expected hash commit unrelated keys and rejects changed ones", async () => {
    const b = await branch();
    const c1 = await store.commit(b, store.noAncestorHash, {}, [
      ns("x"),
      table(["x", "t1"], "l1"),
      table(["x", "t2"], "l2"),
    ]);
    const [t1] = await store.getContents(c1.targetBranch.hash, [["x", "t1"]]);
    const c2 = await store.commit(b, c1.targetBranch.hash, {}, [table(["x", "t1"], "l1b", t1!.content.id)]);
    // Stale expected hash c1, key t2 untouched since: fine.
    const [t2] = await store.getContents(c1.targetBranch.hash, [["x", "t2"]]);
    const c3 = await store.commit(b, c1.targetBranch.hash, {}, [table(["x", "t2"], "l2b", t2!.content.id)]);
    expect((await store.log(c3.targetBranch.hash)).items[1]!.commitMeta.hash).toBe(c2.targetBranch.hash);
    // Stale expected hash c1, key t1 changed since: conflict.
    const e = await conflictOf(
      store.commit(b, c1.targetBranch.hash, {}, [table(["x", "t1"], "l1c", t1!.content.id)]),
    );
    expect(e.kind).toBe("REFERENCE_CONFLICT");
    expect(e.conflicts[0]!.conflictType).toBe("VALUE_DIFFERS");
    expect(await head(b)).toBe(c3.targetBranch.hash);
  });

  it("reports KEY_EXISTS, KEY_DOES_NOT_EXIST and PAYLOAD_DIFFERS, once per key", async () => {
    const b = await branch();
    const c = await store.commit(b, store.noAncestorHash, {}, [ns("k"), table(["k", "t"], "l")]);
    const h = c.targetBranch.hash;
    // A PUT without id on an existing key is a bad request (Nessie: "has no content ID").
    await expect(store.commit(b, h, {}, [table(["k", "t"], "l2")])).rejects.toMatchObject({
      kind: "BAD_REQUEST",
    });
    // Created since the stale expected hash: one KEY_EXISTS conflict, not two.
    const stale = await conflictOf(store.commit(b, store.noAncestorHash, {}, [table(["k", "t"], "l2")]));
    expect(stale.conflicts.map((x) => x.conflictType)).toEqual(["KEY_EXISTS"]);
    // Another content's id on an existing key: a bad request too, as in Nessie.
    await expect(store.commit(b, h, {}, [table(["k", "t"], "l2", "other-id")])).rejects.toMatchObject({
      kind: "BAD_REQUEST",
    });
    const [t] = await store.getContents(h, [["k", "t"]]);
    const view: Operation = {
      type: "PUT",
      key: ["k", "t"],
      content: { type: "ICEBERG_VIEW", metadataLocation: "v", id: t!.content.id },
    };
    expect((await conflictOf(store.commit(b, h, {}, [view]))).conflicts[0]!.conflictType).toBe(
      "PAYLOAD_DIFFERS",
    );
    // Deleted since the stale expected hash: KEY_DOES_NOT_EXIST.
    await store.commit(b, h, {}, [{ type: "DELETE", key: ["k", "t"] }]);
    const deleted = await conflictOf(store.commit(b, h, {}, [table(["k", "t"], "l3", t!.content.id)]));
    expect(deleted.conflicts.map((x) => x.conflictType)).toEqual(["KEY_DOES_NOT_EXIST"]);
  });

  it("drops and re-creates a key in one commit", async () => {
    const b = await branch();
    const c = await store.commit(b, store.noAncestorHash, {}, [ns("d"), table(["d", "t"], "old")]);
    const [before] = await store.getContents(c.targetBranch.hash, [["d", "t"]]);
    const r = await store.commit(b, c.targetBranch.hash, {}, [
      { type: "DELETE", key: ["d", "t"] },
      table(["d", "t"], "new"),
    ]);
    const [after] = await store.getContents(r.targetBranch.hash, [["d", "t"]]);
    expect(after!.content.metadataLocation).toBe("new");
    expect(after!.content.id).not.toBe(before!.content.id);
    expect(r.addedContents).toHaveLength(1);
  });

  it("renames content keeping its id", async () => {
    const b = await branch();
    const c = await store.commit(b, store.noAncestorHash, {}, [ns("r"), table(["r", "old"], "l")]);
    const [t] = await store.getContents(c.targetBranch.hash, [["r", "old"]]);
    const r = await store.commit(b, c.targetBranch.hash, {}, [
      { type: "DELETE", key: ["r", "old"] },
      { ...table(["r", "new"], "l", t!.content.id) },
    ]);
    const [moved] = await store.getContents(r.targetBranch.hash, [["r", "new"]]);
    expect(moved!.content.id).toBe(t!.content.id);
  });

  it("merges, with conflicts, FORCE, DROP and dry runs", async () => {
    const base = await branch();
    const c0 = await store.commit(base, store.noAncestorHash, {}, [
      ns("m"),
      table(["m", "a"], "a0"),
      table(["m", "b"], "b0"),
    ]);
    const dev = `${base}-dev`;
    await store.createReference(dev, "BRANCH", c0.targetBranch.hash);
    const ids = Object.fromEntries(
      (await store.entries(c0.targetBranch.hash)).items.map((e) => [e.key.join("."), e.content.id]),
    );
    const d1 = await store.commit(dev, c0.targetBranch.hash, {}, [
      table(["m", "a"], "a1", ids["m.a"]),
      table(["m", "c"], "c1"),
    ]);
    const dry = await store.merge(base, c0.targetBranch.hash, dev, d1.targetBranch.hash, { dryRun: true });
    expect(dry.wasApplied).toBe(false);
    expect(await head(base)).toBe(c0.targetBranch.hash);
    const m1 = await store.merge(base, c0.targetBranch.hash, dev, d1.targetBranch.hash);
    expect(m1.wasApplied).toBe(true);
    const merged = (await store.log(m1.resultantTargetHash)).items[0]!;
    expect(merged.additionalParents).toEqual([d1.targetBranch.hash]);
    const after = Object.fromEntries(
      (await store.entries(m1.resultantTargetHash)).items.map((e) => [
        e.key.join("."),
        e.content.metadataLocation,
      ]),
    );
    expect(after).toMatchObject({ "m.a": "a1", "m.b": "b0", "m.c": "c1" });

    // Both sides change m.b: conflict, unless FORCE or DROP.
    const t2 = await store.commit(base, m1.resultantTargetHash, {}, [
      table(["m", "b"], "b-main", ids["m.b"]),
    ]);
    const d2 = await store.commit(dev, d1.targetBranch.hash, {}, [table(["m", "b"], "b-dev", ids["m.b"])]);
    const e = await conflictOf(store.merge(base, t2.targetBranch.hash, dev, d2.targetBranch.hash));
    expect(e.conflicts[0]).toMatchObject({ conflictType: "VALUE_DIFFERS", key: ["m", "b"] });
    const asResult = await store.merge(base, t2.targetBranch.hash, dev, d2.targetBranch.hash, {
      returnConflictAsResult: true,
    });
    expect(asResult.wasSuccessful).toBe(false);
    expect(asResult.details[0]!.conflict?.conflictType).toBe("VALUE_DIFFERS");
    const dropped = await store.merge(base, t2.targetBranch.hash, dev, d2.targetBranch.hash, {
      keyMergeModes: [{ key: ["m", "b"], mergeBehavior: "DROP" }],
    });
    expect(dropped.wasApplied).toBe(false);
    const forced = await store.merge(base, t2.targetBranch.hash, dev, d2.targetBranch.hash, {
      defaultKeyMergeMode: "FORCE",
    });
    const [b] = await store.getContents(forced.resultantTargetHash, [["m", "b"]]);
    expect(b!.content.metadataLocation).toBe("b-dev");
  });

  it("transplants commits one by one", async () => {
    const target = await branch();
    const src = await branch();
    const t0 = await store.commit(target, store.noAncestorHash, {}, [ns("t")]);
    const s0 = await store.commit(src, store.noAncestorHash, {}, [ns("t")]);
    const s1 = await store.commit(src, s0.targetBranch.hash, { message: "add x" }, [table(["t", "x"], "x")]);
    const s2 = await store.commit(src, s1.targetBranch.hash, { message: "add y" }, [table(["t", "y"], "y")]);
    const r = await store.transplant(target, t0.targetBranch.hash, src, [
      s1.targetBranch.hash,
      s2.targetBranch.hash,
    ]);
    expect(r.wasApplied).toBe(true);
    const log = await store.log(r.resultantTargetHash);
    expect(log.items.map((l) => l.commitMeta.message)).toEqual(["add y", "add x", ""]);
  });

  it("resolves ref specs", async () => {
    const b = await branch();
    const c1 = await store.commit(b, store.noAncestorHash, {}, [ns("s1")]);
    const c2 = await store.commit(b, c1.targetBranch.hash, {}, [ns("s2")]);
    const h2 = c2.targetBranch.hash;
    expect((await store.resolve(parseRefSpec(b))).hash).toBe(h2);
    expect((await store.resolve(parseRefSpec(`${b}~1`))).hash).toBe(c1.targetBranch.hash);
    expect((await store.resolve(parseRefSpec(`@${h2.slice(0, 10)}`))).hash).toBe(h2);
    expect((await store.resolve(parseRefSpec(`${b}@${c1.targetBranch.hash}`))).reference?.name).toBe(b);
    expect((await store.resolve(parseRefSpec("-"))).reference?.name).toBe("main");
    const when = Date.parse((await store.getCommitMeta(c1.targetBranch.hash)).commitTime);
    expect((await store.resolve(parseRefSpec(`${b}*${when}`))).hash).not.toBe(store.noAncestorHash);
    await expect(store.resolve(parseRefSpec(`main@${h2}`))).rejects.toMatchObject({
      kind: "REFERENCE_NOT_FOUND",
    });
    await expect(store.resolve(parseRefSpec("@deadbeefdeadbeef"))).rejects.toMatchObject({
      kind: "REFERENCE_NOT_FOUND",
    });
    expect(() => parseRefSpec("a..b")).toThrow(/invalid reference name/);
  });

  it("pages entries, diffs and logs", async () => {
    const b = await branch();
    const ops = [
      ns("p"),
      ...Array.from({ length: 30 }, (_, i) => table(["p", `t${String(i).padStart(2, "0")}`], `l${i}`)),
    ];
    const c = await store.commit(b, store.noAncestorHash, {}, ops);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await store.entries(c.targetBranch.hash, {
        maxRecords: 7,
        pageToken: token,
        prefixKey: ["p"],
      });
      seen.push(...page.items.map((e) => e.key.join(".")));
      token = page.token;
    } while (token);
    expect(seen).toHaveLength(31);
    const d = await store.diff(store.noAncestorHash, c.targetBranch.hash, {
      minKey: ["p", "t10"],
      maxKey: ["p", "t19"],
    });
    expect(d.items.map((x) => x.key[1])).toEqual(Array.from({ length: 10 }, (_, i) => `t${10 + i}`));
  });

  it("rejects bad operations without committing", async () => {
    const b = await branch();
    const h = await head(b);
    const bad = [
      [{ type: "PUT", key: ["a"], content: { type: "NOPE" } }],
      [{ type: "MOVE", key: ["a"] }],
      [{ type: "PUT", key: ["a\u0001"], content: { type: "NAMESPACE" } }],
      [{ type: "PUT", key: ["x".repeat(501)], content: { type: "NAMESPACE" } }],
      [ns("d"), ns("d")],
      [{ type: "DELETE", key: ["d"] }, ns("d"), { type: "DELETE", key: ["d"] }],
    ] as unknown as Operation[][];
    for (const ops of bad)
      await expect(store.commit(b, h, {}, ops)).rejects.toMatchObject({ kind: "BAD_REQUEST" });
    expect(await head(b)).toBe(h);
  });

  it("never loses an acknowledged commit among concurrent writers", async () => {
    const b = await branch();
    const c0 = await store.commit(b, store.noAncestorHash, {}, [ns("c")]);
    const writers = Array.from({ length: 40 }, (_, i) =>
      store.commit(b, c0.targetBranch.hash, { message: `w${i}` }, [table(["c", `t${i}`], `l${i}`)]),
    );
    const results = await Promise.all(writers);
    expect(new Set(results.map((r) => r.targetBranch.hash)).size).toBe(40);
    const { items } = await store.entries(await head(b), { prefixKey: ["c"] });
    expect(items).toHaveLength(41);
    expect((await store.log(await head(b))).items).toHaveLength(41);

    // Batched commits store only the last tree; every commit's tree must still be there, also for
    // a fresh store instance with empty caches.
    const fresh = await openVersionStore(kv);
    const log = (await fresh.log(await head(b))).items;
    for (const [i, entry] of log.entries()) {
      const { items: at } = await fresh.entries(entry.commitMeta.hash, { prefixKey: ["c"] });
      expect(at).toHaveLength(41 - i);
    }
  });
});

export type { Content };
