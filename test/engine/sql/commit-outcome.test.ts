import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCatalog } from "../../../src/catalog/catalog.ts";
import { FloeError } from "../../../src/core/errors.ts";
import { SqlSession } from "../../../src/engine/sql/session.ts";
import { openKvStore } from "../../../src/storage/open-kv.ts";
import { ObjectStoreResolver } from "../../../src/storage/open-object-store.ts";
import type { VersionStoreApi } from "../../../src/versioning/api.ts";
import { openVersionStore } from "../../../src/versioning/version-store.ts";
import { sql } from "./sql-helpers.ts";

/**
 * A statement whose version-store commit lands but whose answer is lost (an INTERNAL error after
 * the commit) must not delete the files the commit refers to; a cleanly refused commit leaves none.
 */
describe("SQL writes: files of a commit whose outcome is unknown or refused", () => {
  let store: VersionStoreApi;
  let objects: ObjectStoreResolver;
  let session: SqlSession;
  let failNext: { land: boolean; error: Error } | undefined;

  beforeAll(async () => {
    store = await openVersionStore(await openKvStore("pglite:memory"));
    const faulty = new Proxy(store, {
      get(target, prop) {
        if (prop === "commit")
          return async (...args: Parameters<VersionStoreApi["commit"]>) => {
            const f = failNext;
            failNext = undefined;
            if (f === undefined) return target.commit(...args);
            if (f.land) await target.commit(...args);
            throw f.error;
          };
        const v: unknown = Reflect.get(target, prop);
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    objects = new ObjectStoreResolver();
    const warehouse = mkdtempSync(join(tmpdir(), "floe-sql-outcome-"));
    const catalog = openCatalog({ store: faulty, objects, warehouse });
    session = await SqlSession.open({ catalog, objects, author: "test" });
    await sql(session, "CREATE NAMESPACE db", "CREATE TABLE db.t (id BIGINT, v VARCHAR)");
  });
  afterAll(async () => {
    await session.close();
    await store.close();
    await objects.close();
  });

  it("keeps the files of an INSERT whose commit landed before the error: the rows stay readable", async () => {
    failNext = { land: true, error: new FloeError("INTERNAL", "connection lost after the commit") };
    await expect(sql(session, "INSERT INTO db.t VALUES (1, 'a'), (2, 'b')")).rejects.toThrow(
      /connection lost/,
    );
    expect(await sql(session, "SELECT id, v FROM db.t ORDER BY id")).toEqual([
      ["1", "a"],
      ["2", "b"],
    ]);
  });

  it("keeps the files of a DELETE whose commit landed before the error", async () => {
    failNext = { land: true, error: new Error("socket hang up") };
    await expect(sql(session, "DELETE FROM db.t WHERE id = 1")).rejects.toThrow(/socket hang up/);
    expect(await sql(session, "SELECT id, v FROM db.t ORDER BY id")).toEqual([["2", "b"]]);
  });

  it("a cleanly refused INSERT commits nothing and leaves the table as it was", async () => {
    failNext = { land: false, error: new FloeError("BAD_REQUEST", "refused") };
    await expect(sql(session, "INSERT INTO db.t VALUES (3, 'c')")).rejects.toThrow(/refused/);
    expect(await sql(session, "SELECT id, v FROM db.t ORDER BY id")).toEqual([["2", "b"]]);
  });
});
