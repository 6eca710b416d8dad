import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/server/app.ts";
import { openKvStore } from "../../src/storage/open-kv.ts";
import { ObjectStoreResolver } from "../../src/storage/open-object-store.ts";
import type { VersionStoreApi } from "../../src/versioning/api.ts";
import { openVersionStore } from "../../src/versioning/version-store.ts";
import { call } from "./helpers.ts";
import { createTableBody, VIEW_BODY } from "./iceberg-helpers.ts";

/** Client-chosen locations: under the warehouse or a configured allowed prefix, else a 403. */
describe("Iceberg REST: table and view locations are confined to the warehouse and allowed prefixes", () => {
  let app: FastifyInstance;
  let store: VersionStoreApi;
  let objects: ObjectStoreResolver;
  const warehouse = mkdtempSync(join(tmpdir(), "floe-loc-wh-"));
  const allowed = mkdtempSync(join(tmpdir(), "floe-loc-allowed-"));
  const outside = pathToFileURL(mkdtempSync(join(tmpdir(), "floe-loc-outside-"))).href;
  const R = "/iceberg/v1/main";

  beforeAll(async () => {
    store = await openVersionStore(await openKvStore("pglite:memory"));
    objects = new ObjectStoreResolver({});
    app = await buildApp({ store, iceberg: { objects, warehouse, allowedLocations: [allowed] } });
    expect((await call(app, "POST", `${R}/namespaces`, { namespace: ["db"] })).status).toBe(200);
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await objects.close();
  });

  const forbidden = (res: { status: number; body: unknown }, location: string) => {
    expect(res.status).toBe(403);
    const error = (res.body as { error: { type: string; message: string } }).error;
    expect(error.type).toBe("ForbiddenException");
    expect(error.message).toContain(location);
    expect(error.message).toContain(pathToFileURL(warehouse).href);
  };

  it("refuses a create outside them, and accepts one under the warehouse or an allowed prefix", async () => {
    const bad = `${outside}/t`;
    forbidden(
      await call(app, "POST", `${R}/namespaces/db/tables`, createTableBody("t", { location: bad })),
      bad,
    );
    const escape = `${pathToFileURL(warehouse).href}/../escape`;
    expect(
      (await call(app, "POST", `${R}/namespaces/db/tables`, createTableBody("t", { location: escape })))
        .status,
    ).toBeGreaterThanOrEqual(400);
    const sibling = `${pathToFileURL(warehouse).href}-sibling/t`;
    forbidden(
      await call(app, "POST", `${R}/namespaces/db/tables`, createTableBody("t", { location: sibling })),
      sibling,
    );
    expect((await call(app, "GET", `${R}/namespaces/db/tables/t`)).status).toBe(404);

    const inWh = `${pathToFileURL(warehouse).href}/custom/t`;
    expect(
      (await call(app, "POST", `${R}/namespaces/db/tables`, createTableBody("t", { location: inWh }))).status,
    ).toBe(200);
    const inAllowed = `${pathToFileURL(allowed).href}/t2`;
    const created = await call(
      app,
      "POST",
      `${R}/namespaces/db/tables`,
      createTableBody("t2", { location: inAllowed }),
    );
    expect(created.status).toBe(200);
    expect((created.body as { metadata: { location: string } }).metadata.location).toBe(inAllowed);
  });

  it("refuses set-location outside them and changes nothing", async () => {
    const before = await call(app, "GET", `${R}/namespaces/db/tables/t`);
    const bad = `${outside}/moved`;
    const res = await call(app, "POST", `${R}/namespaces/db/tables/t`, {
      requirements: [],
      updates: [{ action: "set-location", location: bad }],
    });
    forbidden(res, bad);
    const after = await call(app, "GET", `${R}/namespaces/db/tables/t`);
    expect(after.body).toEqual(before.body);
  });

  it("refuses to register a metadata file outside them", async () => {
    const loaded = await call(app, "GET", `${R}/namespaces/db/tables/t`);
    expect(loaded.status).toBe(200);
    const bad = `${outside}/metadata/00000-x.metadata.json`;
    forbidden(
      await call(app, "POST", `${R}/namespaces/db/register`, { name: "r", "metadata-location": bad }),
      bad,
    );
    const ok = await call(app, "POST", `${R}/namespaces/db/register`, {
      name: "r",
      "metadata-location": (loaded.body as { "metadata-location": string })["metadata-location"],
    });
    expect(ok.status).toBe(200);
  });

  it("refuses a view location outside them", async () => {
    const bad = `${outside}/v`;
    forbidden(await call(app, "POST", `${R}/namespaces/db/views`, { ...VIEW_BODY("v"), location: bad }), bad);
  });
});
