import { describe, expect, it } from "vitest";
import type { KvStore } from "../../src/storage/kv.ts";

const b = (s: string) => new TextEncoder().encode(s);
const s = (v: Uint8Array | undefined) => (v === undefined ? undefined : new TextDecoder().decode(v));

/** The one contract every KvStore passes. Each implementation's test calls this with a factory. */
export function kvContract(name: string, open: () => Promise<KvStore>) {
  describe(`KvStore contract: ${name}`, () => {
    it("gets what was put, and nothing else", async () => {
      const kv = await open();
      await kv.putIfAbsent([
        ["a", b("1")],
        ["b", b("2")],
      ]);
      expect(s(await kv.get("a"))).toBe("1");
      expect(await kv.get("zz")).toBeUndefined();
      const many = await kv.getMany(["a", "b", "c"]);
      expect([...many.keys()].sort()).toEqual(["a", "b"]);
      expect(s(many.get("b"))).toBe("2");
      expect((await kv.getMany([])).size).toBe(0);
      await kv.close();
    });

    it("putIfAbsent never overwrites", async () => {
      const kv = await open();
      await kv.putIfAbsent([["k", b("first")]]);
      await kv.putIfAbsent([
        ["k", b("second")],
        ["j", b("new")],
      ]);
      expect(s(await kv.get("k"))).toBe("first");
      expect(s(await kv.get("j"))).toBe("new");
      await kv.close();
    });

    it("compareAndSet creates, replaces and deletes only on a match", async () => {
      const kv = await open();
      expect(await kv.compareAndSet("r", undefined, b("h1"))).toBe(true);
      expect(await kv.compareAndSet("r", undefined, b("h2"))).toBe(false);
      expect(await kv.compareAndSet("r", b("wrong"), b("h2"))).toBe(false);
      expect(s(await kv.get("r"))).toBe("h1");
      expect(await kv.compareAndSet("r", b("h1"), b("h2"))).toBe(true);
      expect(s(await kv.get("r"))).toBe("h2");
      expect(await kv.compareAndSet("r", b("h1"), undefined)).toBe(false);
      expect(await kv.compareAndSet("r", b("h2"), undefined)).toBe(true);
      expect(await kv.get("r")).toBeUndefined();
      await kv.close();
    });

    it("compareAndSet stores alsoPut entries whether or not the swap succeeds", async () => {
      const kv = await open();
      await kv.putIfAbsent([["ref", b("0")]]);
      expect(await kv.compareAndSet("ref", b("0"), b("1"), [["o1", b("x")]])).toBe(true);
      expect(
        await kv.compareAndSet("ref", b("0"), b("2"), [
          ["o2", b("y")],
          ["o1", b("changed")],
        ]),
      ).toBe(false);
      expect(s(await kv.get("o1"))).toBe("x");
      expect(s(await kv.get("o2"))).toBe("y");
      expect(s(await kv.get("ref"))).toBe("1");
      expect(await kv.compareAndSet("new", undefined, b("n"), [["o3", b("z")]])).toBe(true);
      expect(s(await kv.get("o3"))).toBe("z");
      await kv.close();
    });

    it("compareAndSet lets exactly one of many concurrent writers win", async () => {
      const kv = await open();
      await kv.putIfAbsent([["ref", b("0")]]);
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) => kv.compareAndSet("ref", b("0"), b(`w${i}`))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      await kv.close();
    });

    it("scans a prefix in key order with paging", async () => {
      const kv = await open();
      await kv.putIfAbsent(
        ["p:c", "p:a", "p:b", "q:a", "p", "p:b\u00e9"].map((k) => [k, b(k)] as [string, Uint8Array]),
      );
      const all = await kv.scan("p:");
      expect(all.map((e) => e[0])).toEqual(["p:a", "p:b", "p:b\u00e9", "p:c"]);
      const page = await kv.scan("p:", { after: "p:a", limit: 2 });
      expect(page.map((e) => e[0])).toEqual(["p:b", "p:b\u00e9"]);
      expect(s(page[0]![1])).toBe("p:b");
      await kv.close();
    });

    it("stores arbitrary bytes", async () => {
      const kv = await open();
      const bytes = new Uint8Array([0, 255, 1, 128, 0]);
      await kv.putIfAbsent([["bin", bytes]]);
      expect([...(await kv.get("bin"))!]).toEqual([...bytes]);
      await kv.ping();
      await kv.close();
    });
  });
}
