import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import type { ObjectStore } from "../../src/storage/object-store.ts";

const b = (s: string) => new TextEncoder().encode(s);
const s = (v: Uint8Array) => new TextDecoder().decode(v);
const sha = (v: Uint8Array) => createHash("sha256").update(v).digest("hex");

async function kindOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "resolved";
  } catch (e) {
    return isFloeError(e) ? e.kind : `not a FloeError: ${String(e)}`;
  }
}

async function listAll(store: ObjectStore, prefix: string, limit: number) {
  const paths: string[] = [];
  let pages = 0;
  let pageToken: string | undefined;
  do {
    const page = await store.list(prefix, { limit, ...(pageToken ? { pageToken } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    paths.push(...page.items.map((i) => i.path));
    pageToken = page.nextToken;
    pages++;
  } while (pageToken !== undefined);
  return { paths, pages };
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export interface ObjectStoreContractOptions {
  /** A store with a fresh, empty root. */
  open: () => Promise<ObjectStore>;
  /** Size of the "large object" case: above the store's multipart threshold where it has one. */
  largeObjectSize: number;
  /** Another spelling of a location the store must accept (`s3a://`, a plain path). */
  respell: (location: string) => string;
  /** A location of the same kind outside the store's root. */
  outside: (store: ObjectStore) => string;
  /** False for stores configured without atomic conditional writes (HEAD-then-PUT). */
  exclusiveCreate?: boolean;
}

/** The one contract every ObjectStore passes. Each implementation's test calls this with a factory. */
export function objectStoreContract(name: string, opts: ObjectStoreContractOptions) {
  const { open } = opts;
  describe(`ObjectStore contract: ${name}`, () => {
    it("round-trips binary data and replaces on put", async () => {
      const store = await open();
      const all = new Uint8Array(256).map((_, i) => i);
      const p = `${store.root}/t/data/all-bytes.bin`;
      await store.put(p, all);
      expect([...(await store.get(p))]).toEqual([...all]);
      await store.put(p, b("second"));
      expect(s(await store.get(p))).toBe("second");
      const empty = `${store.root}/t/empty`;
      await store.put(empty, new Uint8Array(0));
      expect((await store.get(empty)).length).toBe(0);
      expect((await store.head(empty))?.size).toBe(0);
      const unicode = `${store.root}/t/ü ñ+%20&=.json`;
      await store.put(unicode, b("{}"));
      expect(s(await store.get(unicode))).toBe("{}");
      await store.close();
    });

    it("reads byte ranges, clipped at the end of the object", async () => {
      const store = await open();
      const p = `${store.root}/r/obj`;
      await store.put(p, b("0123456789"));
      expect(s(await store.getRange(p, 0, 3))).toBe("012");
      expect(s(await store.getRange(p, 4, 2))).toBe("45");
      expect(s(await store.getRange(p, 7, 100))).toBe("789");
      expect(s(await store.getRange(p, 9, 1))).toBe("9");
      expect((await store.getRange(p, 10, 5)).length).toBe(0);
      expect((await store.getRange(p, 50, 5)).length).toBe(0);
      expect((await store.getRange(p, 3, 0)).length).toBe(0);
      expect(await kindOf(store.getRange(p, -1, 2))).toBe("BAD_REQUEST");
      await store.close();
    });

    it("reports missing objects: NOT_FOUND from get and getRange, undefined from head", async () => {
      const store = await open();
      const p = `${store.root}/missing/nothing.json`;
      expect(await kindOf(store.get(p))).toBe("NOT_FOUND");
      expect(await kindOf(store.getRange(p, 0, 10))).toBe("NOT_FOUND");
      expect(await store.head(p)).toBeUndefined();
      await store.put(`${store.root}/missing/other`, b("x"));
      expect(await kindOf(store.get(p))).toBe("NOT_FOUND");
      expect(await kindOf(store.get(`${store.root}/missing`))).toBe("NOT_FOUND");
      expect(await store.head(`${store.root}/missing`)).toBeUndefined();
      await store.close();
    });

    it("heads an object: size and modification time", async () => {
      const store = await open();
      const p = `${store.root}/h/obj`;
      const before = Date.now();
      await store.put(p, b("hello"));
      const info = await store.head(p);
      expect(info?.size).toBe(5);
      // clocks of a server and of this process differ a little; whole seconds on S3
      expect(Math.abs(info!.lastModified.getTime() - before)).toBeLessThan(60_000);
      await store.close();
    });

    it("putIfAbsent writes only when nothing is there", async () => {
      const store = await open();
      const p = `${store.root}/pia/v1.metadata.json`;
      expect(await store.putIfAbsent(p, b("first"))).toBe(true);
      expect(await store.putIfAbsent(p, b("second"))).toBe(false);
      expect(s(await store.get(p))).toBe("first");
      await store.delete(p);
      expect(await store.putIfAbsent(p, b("third"))).toBe(true);
      expect(s(await store.get(p))).toBe("third");
      await store.close();
    });

    it.runIf(opts.exclusiveCreate ?? true)(
      "putIfAbsent lets exactly one of 16 concurrent writers win",
      async () => {
        const store = await open();
        for (const round of [0, 1, 2]) {
          const p = `${store.root}/race/${round}/00001.metadata.json`;
          const results = await Promise.all(
            Array.from({ length: 16 }, (_, i) => store.putIfAbsent(p, b(`writer ${i}`))),
          );
          expect(results.filter(Boolean)).toHaveLength(1);
          expect(s(await store.get(p))).toBe(`writer ${results.indexOf(true)}`);
        }
        await store.close();
      },
    );

    it("lists recursively in byte order, by string prefix, with paging", async () => {
      const store = await open();
      const keys = [
        "t/metadata/00001.json",
        "t/metadata/00002.json",
        "t/data/a-c",
        "t/data/a/b",
        "t/data/a0",
        "t/data/x/y/z/deep.parquet",
        "t/data/\u00e9",
        "t/data/Z",
        "t2/other",
        "u",
        ...Array.from({ length: 17 }, (_, i) => `t/data/p/part-${String(i).padStart(3, "0")}.parquet`),
      ];
      await Promise.all(keys.map((k) => store.put(`${store.root}/${k}`, b(k))));
      const expected = (pre: string) =>
        keys
          .filter((k) => k.startsWith(pre))
          .sort(byteOrder)
          .map((k) => `${store.root}/${k}`);

      const whole = await store.list(`${store.root}/t/`);
      expect(whole.items.map((i) => i.path)).toEqual(expected("t/"));
      expect(whole.nextToken).toBeUndefined();
      const item = whole.items.find((i) => i.path.endsWith("/t/data/a0"))!;
      expect(item.size).toBe("t/data/a0".length);
      expect(item.lastModified).toBeInstanceOf(Date);

      const paged = await listAll(store, `${store.root}/t/`, 4);
      expect(paged.paths).toEqual(expected("t/"));
      expect(paged.pages).toBeGreaterThan(5);
      expect((await listAll(store, `${store.root}/t/data/p/`, 17)).pages).toBe(1);

      expect((await store.list(`${store.root}/t`)).items.map((i) => i.path)).toEqual(expected("t"));
      expect((await store.list(`${store.root}/t/data/a`)).items.map((i) => i.path)).toEqual(
        expected("t/data/a"),
      );
      expect((await listAll(store, store.root, 5)).paths).toEqual(expected(""));
      expect((await store.list(`${store.root}/nothing/`)).items).toEqual([]);
      expect((await store.list(`${store.root}/t/metadata/00001.json`)).items.map((i) => i.path)).toEqual(
        expected("t/metadata/00001.json"),
      );
      await store.close();
    });

    it("paging continues after the last item even when objects change in between", async () => {
      const store = await open();
      const names = ["a", "b", "c", "d", "e", "f"];
      await Promise.all(names.map((n) => store.put(`${store.root}/m/${n}`, b(n))));
      const first = await store.list(`${store.root}/m/`, { limit: 3 });
      expect(first.items.map((i) => i.path.slice(-1))).toEqual(["a", "b", "c"]);
      await store.delete(`${store.root}/m/c`);
      await store.put(`${store.root}/m/a2`, b("a2"));
      await store.put(`${store.root}/m/g`, b("g"));
      const rest = await listAll(store, `${store.root}/m/`, 3);
      const second = await store.list(`${store.root}/m/`, { limit: 10, pageToken: first.nextToken! });
      expect(second.items.map((i) => i.path.slice(-1))).toEqual(["d", "e", "f", "g"]);
      expect(rest.paths.length).toBe(7);
      await store.close();
    });

    it("deletes idempotently", async () => {
      const store = await open();
      const p = `${store.root}/d/x/y/obj`;
      await store.put(p, b("x"));
      await store.put(`${store.root}/d/keep`, b("k"));
      await store.delete(p);
      expect(await store.head(p)).toBeUndefined();
      expect(await kindOf(store.get(p))).toBe("NOT_FOUND");
      await store.delete(p);
      await store.delete(`${store.root}/d/never/existed`);
      expect((await store.list(`${store.root}/d/`)).items.map((i) => i.path)).toEqual([
        `${store.root}/d/keep`,
      ]);
      await store.put(p, b("again"));
      expect(s(await store.get(p))).toBe("again");
      await store.close();
    });

    it("accepts other spellings of a location and returns canonical ones; rejects outside locations", async () => {
      const store = await open();
      const p = `${store.root}/sp/obj`;
      await store.put(opts.respell(p), b("x"));
      expect(s(await store.get(p))).toBe("x");
      expect(s(await store.get(opts.respell(p)))).toBe("x");
      expect((await store.list(opts.respell(`${store.root}/sp/`))).items.map((i) => i.path)).toEqual([p]);
      expect(await kindOf(store.get(opts.outside(store)))).toBe("BAD_REQUEST");
      expect(await kindOf(store.put(opts.outside(store), b("x")))).toBe("BAD_REQUEST");
      expect(await kindOf(store.list(opts.outside(store)))).toBe("BAD_REQUEST");
      expect(await kindOf(store.put(`${store.root}`, b("x")))).toBe("BAD_REQUEST");
      await store.close();
    });

    it("stores a large object (above the multipart threshold) and reads ranges across parts", async () => {
      const store = await open();
      const big = randomBytes(opts.largeObjectSize);
      const p = `${store.root}/big/data.parquet`;
      await store.put(p, big);
      expect((await store.head(p))?.size).toBe(big.length);
      expect(sha(await store.get(p))).toBe(sha(big));
      const mid = Math.floor(big.length / 2);
      expect(
        Buffer.from(await store.getRange(p, mid - 1000, 5000)).equals(big.subarray(mid - 1000, mid + 4000)),
      ).toBe(true);
      const q = `${store.root}/big/once.parquet`;
      expect(await store.putIfAbsent(q, big)).toBe(true);
      expect(await store.putIfAbsent(q, big.subarray(0, 10))).toBe(false);
      expect((await store.head(q))?.size).toBe(big.length);
      await store.close();
    }, 120_000);

    it("uploads local files with putFile: empty, small, above the multipart threshold, replacing", async () => {
      const store = await open();
      const dir = mkdtempSync(join(tmpdir(), "floe-putfile-"));
      try {
        const big = randomBytes(opts.largeObjectSize);
        const cases: Array<[string, Uint8Array]> = [
          ["empty", new Uint8Array(0)],
          ["small", b("small file")],
          ["big", big],
        ];
        for (const [name, bytes] of cases) {
          const file = join(dir, name);
          writeFileSync(file, bytes);
          const p = `${store.root}/files/${name}.parquet`;
          await store.putFile(p, file);
          expect((await store.head(p))?.size, name).toBe(bytes.length);
          expect(sha(await store.get(p)), name).toBe(sha(bytes));
        }
        const p = `${store.root}/files/small.parquet`;
        writeFileSync(join(dir, "again"), big.subarray(0, 1000));
        await store.putFile(p, join(dir, "again"));
        expect(sha(await store.get(p))).toBe(sha(big.subarray(0, 1000)));
        expect(await kindOf(store.putFile(opts.outside(store), join(dir, "again")))).toBe("BAD_REQUEST");
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await store.close();
      }
    }, 120_000);
  });
}
