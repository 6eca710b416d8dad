import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openCatalog } from "../../../src/catalog/catalog.ts";
import type { CatalogContext } from "../../../src/catalog/context.ts";
import { type EngineFiles, engineFiles, type S3ReadMode } from "../../../src/engine/duck-files.ts";
import { SqlSession } from "../../../src/engine/sql/session.ts";
import { openKvStore } from "../../../src/storage/open-kv.ts";
import { ObjectStoreResolver } from "../../../src/storage/open-object-store.ts";
import type { VersionStoreApi } from "../../../src/versioning/api.ts";
import { openVersionStore } from "../../../src/versioning/version-store.ts";
import { sql } from "./sql-helpers.ts";

// floe sql over a warehouse on the suite's S3 server (SeaweedFS): data and delete files read by
// DuckDB's httpfs, or through the local file cache, with the same rows either way.
const s3 = inject("s3");
const extensions = inject("duckdbExtensions");

let store: VersionStoreApi;
let objects: ObjectStoreResolver;
let catalog: CatalogContext;
const sessions: SqlSession[] = [];

beforeAll(async () => {
  store = await openVersionStore(await openKvStore("pglite:memory"));
  objects = new ObjectStoreResolver({
    s3: { endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  catalog = openCatalog({ store, objects, warehouse: `s3://${s3.bucket}/sql-s3-${randomUUID()}` });
  // two tables, one merge-on-read (position delete files on S3) and one copy-on-write
  const s = await session(await files("cache"));
  await sql(
    s,
    "CREATE NAMESPACE db",
    "CREATE TABLE db.mor (id BIGINT, day DATE, v STRING) PARTITIONED BY (day) " +
      "TBLPROPERTIES ('write.delete.mode' = 'merge-on-read')",
    "CREATE TABLE db.cow (id BIGINT, v STRING)",
  );
  for (let batch = 0; batch < 3; batch++) {
    const values = Array.from(
      { length: 10 },
      (_, i) => `(${batch * 10 + i}, DATE '2026-11-0${1 + (i % 3)}', 'v${batch * 10 + i}')`,
    );
    await sql(s, `INSERT INTO db.mor VALUES ${values.join(", ")}`);
    await sql(s, `INSERT INTO db.cow SELECT id, v FROM db.mor WHERE id >= ${batch * 10}`);
  }
  const multiplesOf4 = Array.from({ length: 8 }, (_, i) => i * 4).join(", ");
  await sql(s, `DELETE FROM db.mor WHERE id IN (${multiplesOf4})`, "DELETE FROM db.cow WHERE id < 5");
});

afterAll(async () => {
  for (const s of sessions) await s.close();
  await store?.close();
  await objects?.close();
});

async function files(
  s3Reads: S3ReadMode,
  opts: { cacheMaxBytes?: number; extensionDirectory?: string } = {},
): Promise<EngineFiles> {
  return engineFiles({
    objects,
    s3Reads,
    extensionDirectory: opts.extensionDirectory ?? extensions,
    cacheDir: mkdtempSync(join(tmpdir(), "floe-s3-cache-")),
    ...(opts.cacheMaxBytes === undefined ? {} : { cacheMaxBytes: opts.cacheMaxBytes }),
  });
}

async function session(f: EngineFiles): Promise<SqlSession> {
  const s = await SqlSession.open({ catalog, objects, files: f, author: "test" });
  sessions.push(s);
  return s;
}

const expectedMor = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 4 !== 0);

describe.each(["httpfs", "cache"] as const)("floe sql on S3, reading with %s", (mode) => {
  it("reads merge-on-read and copy-on-write tables with their deletes applied", async () => {
    const f = await files(mode);
    const s = await session(f);
    const mor = await sql(s, "SELECT id FROM db.mor ORDER BY id");
    expect(mor.map((r) => Number(r[0]))).toEqual(expectedMor);
    expect(await sql(s, "SELECT count(*), min(id) FROM db.cow")).toEqual([["25", "5"]]);
    // httpfs reads the objects in place; the cache holds copies
    const cached = readdirSync(f.cache.dir).length;
    if (mode === "httpfs") expect(cached).toBe(0);
    else expect(cached).toBeGreaterThan(0);
  });

  it("writes from what it reads: a DELETE reading S3 files, then the same rows again", async () => {
    const s = await session(await files(mode));
    await sql(s, `CREATE TABLE db.copy_${mode} AS SELECT * FROM db.mor`);
    await sql(s, `DELETE FROM db.copy_${mode} WHERE id > 20`);
    const rows = await sql(s, `SELECT id FROM db.copy_${mode} ORDER BY id`);
    expect(rows.map((r) => Number(r[0]))).toEqual(expectedMor.filter((i) => i <= 20));
  });
});

describe("the file cache", () => {
  it("keeps at most its size limit once a statement's files are released, and reads stay right", async () => {
    const probe = await files("cache");
    await sql(await session(probe), "SELECT count(*) FROM db.mor");
    const total = probe.cache.usedBytes; // every data and delete file of db.mor
    const limit = Math.floor(total / 3);
    const f = await files("cache", { cacheMaxBytes: limit });
    const s = await session(f);
    for (let round = 0; round < 2; round++) {
      const r = await s.execute("SELECT id FROM db.mor ORDER BY id");
      const ids: number[] = [];
      for await (const batch of r.batches) {
        // while the statement's rows are read, its files are pinned (the cache above its limit)
        expect(f.cache.usedBytes).toBeGreaterThan(limit);
        ids.push(...batch.map((row) => Number(row[0])));
      }
      expect(ids).toEqual(expectedMor);
      // once they are read, released: least recently used evicted
      expect(f.cache.usedBytes).toBeLessThanOrEqual(limit);
      expect(f.cache.usedBytes).toBeGreaterThan(0);
    }
  });

  it("releases a statement's files at the next statement when its rows were not read to the end", async () => {
    const probe = await files("cache");
    await sql(await session(probe), "SELECT count(*) FROM db.mor");
    const limit = Math.floor(probe.cache.usedBytes / 3);
    const f = await files("cache", { cacheMaxBytes: limit });
    const s = await session(f);
    const r = await s.execute("SELECT id FROM db.mor ORDER BY id");
    const first = await r.batches[Symbol.asyncIterator]().next(); // and no more
    expect(first.done).toBe(false);
    expect(f.cache.usedBytes).toBeGreaterThan(limit);
    // a statement that reads no table: the files are unpinned all the same
    expect(await sql(s, "SHOW NAMESPACES")).toContainEqual(["db"]);
    expect(f.cache.usedBytes).toBeLessThanOrEqual(limit);
    // and a failed one
    const again = await s.execute("SELECT id FROM db.mor ORDER BY id");
    await again.batches[Symbol.asyncIterator]().next();
    expect(f.cache.usedBytes).toBeGreaterThan(limit);
    await expect(s.execute("SELECT nope FROM db.mor")).rejects.toThrow(/nope/);
    expect(f.cache.usedBytes).toBeLessThanOrEqual(limit);
    expect(await sql(s, "SELECT count(*) FROM db.mor")).toEqual([[String(expectedMor.length)]]);
  });
});

describe("httpfs that cannot load", () => {
  it("is an error naming the remedy with sql.s3-reads=httpfs", async () => {
    const s = await session(
      await files("httpfs", { extensionDirectory: mkdtempSync(join(tmpdir(), "floe-no-ext-")) }),
    );
    await expect(s.execute("SELECT count(*) FROM db.mor")).rejects.toThrow(
      /Cannot read from S3 with DuckDB's httpfs extension \(sql.s3-reads=httpfs\).*scripts\/duckdb-extensions.sh/,
    );
  });

  it("falls back to the cache with sql.s3-reads=auto", async () => {
    const f = await files("auto", { extensionDirectory: mkdtempSync(join(tmpdir(), "floe-no-ext-")) });
    const s = await session(f);
    const rows = await sql(s, "SELECT id FROM db.mor ORDER BY id");
    expect(rows.map((r) => Number(r[0]))).toEqual(expectedMor);
    expect(f.httpfsUnavailable).toMatch(/httpfs/);
    expect(readdirSync(f.cache.dir).length).toBeGreaterThan(0);
  });
});
