import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FloeError } from "../../src/core/errors.ts";
import { buildApp } from "../../src/server/app.ts";
import { openKvStore } from "../../src/storage/open-kv.ts";
import { ObjectStoreResolver } from "../../src/storage/open-object-store.ts";
import type { VersionStoreApi } from "../../src/versioning/api.ts";
import { openVersionStore } from "../../src/versioning/version-store.ts";
import { call } from "./helpers.ts";
import { createTableBody } from "./iceberg-helpers.ts";

/**
 * What happens to the metadata files of a commit whose version-store commit fails. The store is the
 * real one (PGlite); `failNext` makes its next commit end in the given way — after landing (a
 * connection lost while the answer was on its way) or without landing.
 */
describe("Iceberg commit path: metadata files of a commit whose outcome is unknown or refused", () => {
  let app: FastifyInstance;
  let store: VersionStoreApi;
  let objects: ObjectStoreResolver;
  const warehouse = mkdtempSync(join(tmpdir(), "floe-outcome-wh-"));
  let failNext: { land: boolean; error: Error } | undefined;
  const R = "/iceberg/v1/main";

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
    objects = new ObjectStoreResolver({});
    app = await buildApp({ store: faulty, iceberg: { objects, warehouse } });
    expect((await call(app, "POST", `${R}/namespaces`, { namespace: ["db"] })).status).toBe(200);
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await objects.close();
  });

  // a new table's default location is <warehouse>/db/<name>_<uuid>
  const metadataFiles = (table: string): string[] => {
    const db = join(warehouse, "db");
    if (!existsSync(db)) return [];
    return readdirSync(db)
      .filter((d) => d.startsWith(`${table}_`))
      .flatMap((d) => readdirSync(join(db, d, "metadata")))
      .filter((f) => f.endsWith(".metadata.json"));
  };

  it("keeps the metadata file when the commit landed but its answer was lost (INTERNAL)", async () => {
    failNext = { land: true, error: new FloeError("INTERNAL", "connection terminated unexpectedly") };
    const res = await call(app, "POST", `${R}/namespaces/db/tables`, createTableBody("landed"));
    expect(res.status).toBe(500);
    const loaded = await call(app, "GET", `${R}/namespaces/db/tables/landed`);
    expect(loaded.status).toBe(200);
    const location = (loaded.body as { "metadata-location": string })["metadata-location"];
    expect(existsSync(fileURLToPath(location))).toBe(true);
  });

  it("keeps the metadata file of a commit that failed with a non-FloeError (outcome unknown)", async () => {
    failNext = { land: false, error: new Error("Connection terminated") };
    const res = await call(app, "POST", `${R}/namespaces/db/tables`, createTableBody("unknown"));
    expect(res.status).toBe(500);
    expect(metadataFiles("unknown")).toHaveLength(1);
    expect((await call(app, "GET", `${R}/namespaces/db/tables/unknown`)).status).toBe(404);
  });

  it("removes the metadata file of a commit the store cleanly refused", async () => {
    failNext = {
      land: false,
      error: new FloeError("REFERENCE_NOT_FOUND", "Named reference 'main' not found"),
    };
    const res = await call(app, "POST", `${R}/namespaces/db/tables`, createTableBody("refused"));
    expect(res.status).toBe(404);
    expect(metadataFiles("refused")).toHaveLength(0);
  });
});
