import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { isFloeError } from "../../src/core/errors.ts";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";
import { canonicalLocation, keyWithin, parseRoot } from "../../src/storage/location.ts";
import { ObjectStoreResolver, openObjectStore } from "../../src/storage/open-object-store.ts";
import { S3ObjectStore } from "../../src/storage/s3-object-store.ts";

function badRequest(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (e) {
    return isFloeError(e, "BAD_REQUEST");
  }
}

describe("locations", () => {
  it("spells every location canonically", () => {
    expect(canonicalLocation("s3a://bucket/w/t/metadata/v1.json")).toBe("s3://bucket/w/t/metadata/v1.json");
    expect(canonicalLocation("s3n://bucket/k")).toBe("s3://bucket/k");
    expect(canonicalLocation("s3://bucket")).toBe("s3://bucket/");
    expect(canonicalLocation("file:///srv/w/x")).toBe("file:///srv/w/x");
    expect(canonicalLocation("file:/srv/w/x")).toBe("file:///srv/w/x");
    expect(canonicalLocation("/srv//w/x/")).toBe("file:///srv/w/x/");
    expect(canonicalLocation("rel/x")).toBe(`file://${resolve("rel/x")}`);
    // not percent-decoded: Iceberg concatenates strings
    expect(canonicalLocation("s3://bucket/a%20b")).toBe("s3://bucket/a%20b");
  });

  it("rejects what no store can hold", () => {
    for (const bad of [
      "",
      "gs://bucket/x",
      "hdfs://nn/x",
      "file://host/x",
      "s3://B_ad/x",
      "s3:///x",
      "a\0b",
    ]) {
      expect(
        badRequest(() => canonicalLocation(bad)),
        bad,
      ).toBe(true);
    }
  });

  it("finds a location's key inside a root", () => {
    const root = parseRoot("s3a://bucket/warehouse/");
    expect(keyWithin(root, "s3://bucket/warehouse/db/t/x.json")).toBe("db/t/x.json");
    expect(keyWithin(root, "s3://bucket/warehouse", { prefix: true })).toBe("");
    expect(keyWithin(root, "s3://bucket/warehouse/db/t", { prefix: true })).toBe("db/t");
    expect(keyWithin(parseRoot("s3://bucket"), "s3://bucket/a//b")).toBe("a//b");
    for (const outside of ["s3://bucket/warehouse2/x", "s3://other/warehouse/x", "file:///warehouse/x"]) {
      expect(
        badRequest(() => keyWithin(root, outside)),
        outside,
      ).toBe(true);
    }
    expect(badRequest(() => keyWithin(root, "s3://bucket/warehouse"))).toBe(true);
    const local = parseRoot("/srv/w");
    expect(keyWithin(local, "file:/srv/w/a/b")).toBe("a/b");
    expect(keyWithin(parseRoot("/"), "/srv/w/a")).toBe("srv/w/a");
    for (const escape of ["/srv/w/../x", "/srv/w/a/./b", "/srv/w/a/", "/srv/w/.floe-tmp-x"]) {
      expect(
        badRequest(() => keyWithin(local, escape)),
        escape,
      ).toBe(true);
    }
  });
});

describe("opening stores", () => {
  it("picks the implementation by scheme", async () => {
    const dir = await mkdtemp(join(tmpdir(), "floe-open-"));
    const local = openObjectStore(dir);
    expect(local).toBeInstanceOf(LocalObjectStore);
    expect(local.root).toBe(`file://${dir}`);
    expect(openObjectStore(`file://${dir}/`).root).toBe(`file://${dir}`);
    const s3 = openObjectStore("s3a://bucket/w/", { s3: { endpoint: "http://127.0.0.1:1", region: "x" } });
    expect(s3).toBeInstanceOf(S3ObjectStore);
    expect(s3.root).toBe("s3://bucket/w");
    expect(s3.description).toBe("S3 s3://bucket/w at http://127.0.0.1:1");
    await s3.close();
  });

  it("resolves any location to a shared store of its bucket or of the local file system", async () => {
    const dir = await mkdtemp(join(tmpdir(), "floe-resolve-"));
    const stores = new ObjectStoreResolver({ s3: { endpoint: "http://127.0.0.1:1" } });
    const a = stores.storeFor("s3://bucket-a/w/t/metadata/v1.json");
    expect(a.root).toBe("s3://bucket-a");
    expect(stores.storeFor("s3a://bucket-a/elsewhere/x")).toBe(a);
    expect(stores.storeFor("s3://bucket-b/x")).not.toBe(a);
    const disk = stores.storeFor(`${dir}/t/v1.json`);
    await disk.put(`file://${dir}/t/v1.json`, new TextEncoder().encode("{}"));
    expect(stores.storeFor(`file://${dir}/t/v1.json`)).toBe(disk);
    expect((await disk.list(`${dir}/`)).items.map((i) => i.path)).toEqual([`file://${dir}/t/v1.json`]);
    await stores.close();
  });
});
