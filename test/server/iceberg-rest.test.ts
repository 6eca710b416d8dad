import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPgDatabase } from "../support/pg.ts";
import { branch, call, commitOps, put, table as tableContent } from "./helpers.ts";
import { createTableBody, openIcebergApp, SCHEMA } from "./iceberg-helpers.ts";
import { canonicalLocation } from "../../src/storage/location.ts";

const BACKENDS: Array<[string, () => Promise<string>]> = [
  ["PGlite", async () => "pglite:memory"],
  ["PostgreSQL", freshPgDatabase],
];

describe.each(BACKENDS)("Iceberg REST namespaces and tables on %s", (_name, storeUrl) => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let warehouse: string;
  const R = "/iceberg/v1/main";

  beforeAll(async () => {
    const opened = await openIcebergApp(await storeUrl());
    app = opened.app;
    close = opened.close;
    warehouse = opened.warehouse;
  });
  afterAll(async () => close());

  const head = async (url: string) => (await app.inject({ method: "HEAD", url })).statusCode;

  it("serves /v1/config with the endpoints, and the ref of the URI as prefix", async () => {
    const plain = await call(app, "GET", "/iceberg/v1/config");
    expect(plain.status).toBe(200);
    expect(plain.body.overrides).toEqual({});
    expect(plain.body.endpoints).toContain("POST /v1/{prefix}/transactions/commit");
    const withRef = await call(app, "GET", "/iceberg/main/v1/config?warehouse=x");
    expect(withRef.body.overrides).toEqual({ prefix: "main" });
  });

  it("creates, loads, lists and drops namespaces", async () => {
    const created = await call(app, "POST", `${R}/namespaces`, { namespace: ["db"], properties: { a: "1" } });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ namespace: ["db"], properties: { a: "1" } });
    const again = await call(app, "POST", `${R}/namespaces`, { namespace: ["db"] });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ type: "AlreadyExistsException", code: 409 });

    expect((await call(app, "POST", `${R}/namespaces`, { namespace: ["db", "inner"] })).status).toBe(200);
    const orphan = await call(app, "POST", `${R}/namespaces`, { namespace: ["nope", "inner"] });
    expect(orphan.status).toBe(404);
    expect(orphan.body.error.type).toBe("NoSuchNamespaceException");

    // the location shown is where new tables go (Trino's REST catalog needs one), not stored
    const wh = canonicalLocation(warehouse).replace(/\/+$/, "");
    expect((await call(app, "GET", `${R}/namespaces/db`)).body).toEqual({
      namespace: ["db"],
      properties: { a: "1", location: `${wh}/db` },
    });
    expect((await call(app, "GET", `${R}/namespaces/db%1Finner`)).body.properties).toEqual({
      location: `${wh}/db/inner`,
    });
    expect(await head(`${R}/namespaces/db`)).toBe(204);
    expect(await head(`${R}/namespaces/missing`)).toBe(404);
    const missing = await call(app, "GET", `${R}/namespaces/missing`);
    expect(missing.body.error).toMatchObject({ type: "NoSuchNamespaceException", code: 404 });

    const nested = await call(app, "GET", `${R}/namespaces?parent=db`);
    expect(nested.body.namespaces).toEqual([["db", "inner"]]);
    expect((await call(app, "GET", `${R}/namespaces/db%1Finner`)).body.namespace).toEqual(["db", "inner"]);

    for (const n of ["p1", "p2", "p3"]) await call(app, "POST", `${R}/namespaces`, { namespace: [n] });
    const page1 = await call(app, "GET", `${R}/namespaces?pageSize=2`);
    expect(page1.body.namespaces).toEqual([["db"], ["p1"]]);
    const page2 = await call(
      app,
      "GET",
      `${R}/namespaces?pageSize=2&pageToken=${page1.body["next-page-token"]}`,
    );
    expect(page2.body.namespaces).toEqual([["p2"], ["p3"]]);
    expect(page2.body["next-page-token"]).toBeUndefined();

    const props = await call(app, "POST", `${R}/namespaces/db/properties`, {
      removals: ["a", "zz"],
      updates: { b: "2" },
    });
    expect(props.body).toEqual({ updated: ["b"], removed: ["a"], missing: ["zz"] });
    expect((await call(app, "GET", `${R}/namespaces/db`)).body.properties).toEqual({
      b: "2",
      location: `${wh}/db`,
    });

    const notEmpty = await call(app, "DELETE", `${R}/namespaces/db`);
    expect(notEmpty.status).toBe(409);
    expect(notEmpty.body.error.type).toBe("NamespaceNotEmptyException");
    expect((await call(app, "DELETE", `${R}/namespaces/p3`)).status).toBe(204);
    expect((await call(app, "DELETE", `${R}/namespaces/p3`)).status).toBe(404);
  });

  it("rejects malformed requests with 400 BadRequestException", async () => {
    const cases: Array<[string, string, unknown]> = [
      ["POST", `${R}/namespaces`, { namespace: "db" }],
      ["POST", `${R}/namespaces`, "{not json"],
      ["POST", `${R}/namespaces/db/tables`, { name: "t" }],
      ["POST", `${R}/namespaces/db/tables`, { name: "t", schema: { type: "struct", fields: [{ id: 1 }] } }],
      ["POST", `${R}/namespaces/db/properties`, { removals: ["x"], updates: { x: "1" } }],
      ["GET", `${R}/namespaces?pageSize=0`, undefined],
    ];
    for (const [method, url, body] of cases) {
      const res = await call(app, method as "POST", url, body);
      expect(res.status, `${method} ${url} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error.type).toBe("BadRequestException");
    }
    const noRoute = await call(app, "GET", "/iceberg/v1/main/nothing-here");
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.error.code).toBe(404);
  });

  it("creates a table that the Nessie API sees as ICEBERG_TABLE, with commit metadata", async () => {
    await call(app, "POST", `${R}/namespaces`, { namespace: ["sales"] });
    const res = await call(app, "POST", `${R}/namespaces/sales/tables`, createTableBody("orders"), {
      "Nessie-Commit-Authors": "alice",
      "Nessie-Commit-Message": "create the orders table",
    });
    expect(res.status).toBe(200);
    const location = res.body["metadata-location"] as string;
    expect(location).toMatch(
      /^file:\/\/.*\/sales\/orders_[0-9a-f]{32}\/metadata\/00000-[0-9a-f-]{36}\.metadata\.json$/,
    );
    expect(location.startsWith(`file://${warehouse}/`)).toBe(true);
    expect(res.body.metadata["format-version"]).toBe(2);
    expect(res.body.metadata["partition-specs"][0].fields[0].transform).toBe("bucket[4]");
    expect(JSON.parse(readFileSync(fileURLToPath(location), "utf8"))["table-uuid"]).toBe(
      res.body.metadata["table-uuid"],
    );

    const content = await call(app, "GET", "/api/v2/trees/main/contents/sales.orders");
    expect(content.body.content).toMatchObject({
      type: "ICEBERG_TABLE",
      metadataLocation: location,
      snapshotId: -1,
      schemaId: 0,
      specId: 0,
      sortOrderId: 0,
    });
    const log = await call(app, "GET", "/api/v2/trees/main/history?max-records=1");
    expect(log.body.logEntries[0].commitMeta).toMatchObject({
      message: "create the orders table",
      authors: ["alice"],
    });

    const dup = await call(app, "POST", `${R}/namespaces/sales/tables`, createTableBody("orders"));
    expect(dup.status).toBe(409);
    expect(dup.body.error.type).toBe("AlreadyExistsException");
    const noNs = await call(app, "POST", `${R}/namespaces/none/tables`, createTableBody("orders"));
    expect(noNs.body.error.type).toBe("NoSuchNamespaceException");
  });

  it("loads tables with ETag / If-None-Match, HEAD and lists them with paging", async () => {
    const load = await call(app, "GET", `${R}/namespaces/sales/tables/orders`);
    expect(load.status).toBe(200);
    expect(load.body.metadata.schemas[0].fields.map((f: { name: string }) => f.name)).toEqual(["id", "data"]);
    const etag = load.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    const cached = await app.inject({
      method: "GET",
      url: `${R}/namespaces/sales/tables/orders`,
      headers: { "if-none-match": etag },
    });
    expect(cached.statusCode).toBe(304);
    expect(await head(`${R}/namespaces/sales/tables/orders`)).toBe(204);
    expect(await head(`${R}/namespaces/sales/tables/nope`)).toBe(404);
    const missing = await call(app, "GET", `${R}/namespaces/sales/tables/nope`);
    expect(missing.body.error).toMatchObject({ type: "NoSuchTableException", code: 404 });
    const refs = await call(app, "GET", `${R}/namespaces/sales/tables/orders?snapshots=refs`);
    expect(refs.status).toBe(200);
    expect((await call(app, "GET", `${R}/namespaces/sales/tables/orders?snapshots=some`)).status).toBe(400);

    for (const t of ["a", "b"]) await call(app, "POST", `${R}/namespaces/sales/tables`, createTableBody(t));
    const p1 = await call(app, "GET", `${R}/namespaces/sales/tables?pageSize=2`);
    expect(p1.body.identifiers).toEqual([
      { namespace: ["sales"], name: "a" },
      { namespace: ["sales"], name: "b" },
    ]);
    const p2 = await call(
      app,
      "GET",
      `${R}/namespaces/sales/tables?pageSize=2&pageToken=${p1.body["next-page-token"]}`,
    );
    expect(p2.body.identifiers).toEqual([{ namespace: ["sales"], name: "orders" }]);
    expect((await call(app, "GET", `${R}/namespaces/none/tables`)).status).toBe(404);
  });

  it("commits requirements and updates through the one commit path", async () => {
    const before = await call(app, "GET", `${R}/namespaces/sales/tables/orders`);
    const uuid = before.body.metadata["table-uuid"];
    const res = await call(app, "POST", `${R}/namespaces/sales/tables/orders`, {
      requirements: [
        { type: "assert-table-uuid", uuid },
        { type: "assert-current-schema-id", "current-schema-id": 0 },
      ],
      updates: [
        {
          action: "add-schema",
          schema: {
            ...SCHEMA,
            "schema-id": 1,
            fields: [...SCHEMA.fields, { id: 3, name: "ts", required: false, type: "timestamptz" }],
          },
          "last-column-id": 3,
        },
        { action: "set-current-schema", "schema-id": -1 },
        { action: "set-properties", updates: { k: "v" } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body["metadata-location"]).toMatch(/\/metadata\/00001-[0-9a-f-]{36}\.metadata\.json$/);
    expect(res.body.metadata["current-schema-id"]).toBe(1);
    expect(res.body.metadata["metadata-log"][0]["metadata-file"]).toBe(before.body["metadata-location"]);
    const content = await call(app, "GET", "/api/v2/trees/main/contents/sales.orders");
    expect(content.body.content.schemaId).toBe(1);
    const log = await call(app, "GET", "/api/v2/trees/main/history?max-records=1");
    expect(log.body.logEntries[0].commitMeta.message).toBe("Iceberg commit to sales.orders");

    const stale = await call(app, "POST", `${R}/namespaces/sales/tables/orders`, {
      requirements: [{ type: "assert-current-schema-id", "current-schema-id": 0 }],
      updates: [{ action: "set-properties", updates: { k: "w" } }],
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.type).toBe("CommitFailedException");
    expect(stale.body.error.message).toContain("current schema changed");

    const unknown = await call(app, "POST", `${R}/namespaces/sales/tables/orders`, {
      requirements: [],
      updates: [{ action: "make-it-fast" }],
    });
    expect(unknown.status).toBe(400);
    const noTable = await call(app, "POST", `${R}/namespaces/sales/tables/ghost`, {
      requirements: [{ type: "assert-current-schema-id", "current-schema-id": 0 }],
      updates: [],
    });
    expect(noTable.status).toBe(404);
    expect(noTable.body.error.type).toBe("NoSuchTableException");
    const after = await call(app, "GET", `${R}/namespaces/sales/tables/orders`);
    expect(after.body.metadata.properties.k).toBe("v");
  });

  it("adds snapshots whose manifest list exists, refuses those whose list is missing", async () => {
    const url = `${R}/namespaces/sales/tables/orders`;
    const table = (await call(app, "GET", url)).body;
    const list = `${table.metadata.location}/metadata/snap-1.avro`;
    const snapshot = (manifestList: string) => ({
      requirements: [{ type: "assert-ref-snapshot-id", ref: "main", "snapshot-id": null }],
      updates: [
        {
          action: "add-snapshot",
          snapshot: {
            "snapshot-id": 9007199254740993n.toString(),
            "sequence-number": 1,
            "timestamp-ms": 1700000000000,
            "manifest-list": manifestList,
            summary: { operation: "append" },
            "schema-id": 1,
          },
        },
        {
          action: "set-snapshot-ref",
          "ref-name": "main",
          type: "branch",
          "snapshot-id": 9007199254740993n.toString(),
        },
      ],
    });
    // the snapshot id as a bare JSON number beyond 2^53
    const body = (m: string) =>
      JSON.stringify(snapshot(m)).replaceAll('"9007199254740993"', "9007199254740993");
    const missing = await call(app, "POST", url, body(`${list}.missing`));
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain("does not exist");
    mkdirSync(dirname(fileURLToPath(list)), { recursive: true });
    writeFileSync(fileURLToPath(list), "avro");
    const ok = await call(app, "POST", url, body(list));
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('"current-snapshot-id":9007199254740993');
    const content = await call(app, "GET", "/api/v2/trees/main/contents/sales.orders");
    expect(content.text).toContain('"snapshotId":9007199254740993');
    const again = await call(app, "POST", url, body(list));
    expect(again.status).toBe(409);
  });

  it("concurrent commits on one table: one wins, the other gets 409, no commit is lost", async () => {
    await call(app, "POST", `${R}/namespaces/sales/tables`, createTableBody("race"));
    const url = `${R}/namespaces/sales/tables/race`;
    const guarded = (i: number) =>
      call(app, "POST", url, {
        requirements: [{ type: "assert-current-schema-id", "current-schema-id": 0 }],
        updates: [
          {
            action: "add-schema",
            schema: {
              ...SCHEMA,
              fields: [...SCHEMA.fields, { id: 3, name: `c${i}`, required: false, type: "int" }],
            },
          },
          { action: "set-current-schema", "schema-id": -1 },
        ],
      });
    const results = await Promise.all([1, 2, 3, 4].map(guarded));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(409);
      expect(r.body.error.type).toBe("CommitFailedException");
    }
    // Commits whose requirements still hold after a concurrent change all land.
    const free = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((i) =>
        call(app, "POST", url, {
          requirements: [],
          updates: [{ action: "set-properties", updates: { [`p${i}`]: "x" } }],
        }),
      ),
    );
    expect(free.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const props = (await call(app, "GET", url)).body.metadata.properties;
    for (const i of [1, 2, 3, 4, 5, 6]) expect(props[`p${i}`]).toBe("x");
  });

  it("stage-create then commit with assert-create, rename, register and drop", async () => {
    const staged = await call(
      app,
      "POST",
      `${R}/namespaces/sales/tables`,
      createTableBody("staged", { "stage-create": true }),
    );
    expect(staged.status).toBe(200);
    expect(staged.body["metadata-location"]).toBeUndefined();
    expect(await head(`${R}/namespaces/sales/tables/staged`)).toBe(404);
    const m = staged.body.metadata;
    const created = await call(app, "POST", `${R}/namespaces/sales/tables/staged`, {
      requirements: [{ type: "assert-create" }],
      updates: [
        { action: "assign-uuid", uuid: m["table-uuid"] },
        { action: "upgrade-format-version", "format-version": 2 },
        { action: "add-schema", schema: m.schemas[0], "last-column-id": m["last-column-id"] },
        { action: "set-current-schema", "schema-id": -1 },
        { action: "add-spec", spec: m["partition-specs"][0] },
        { action: "set-default-spec", "spec-id": -1 },
        { action: "add-sort-order", "sort-order": m["sort-orders"][0] },
        { action: "set-default-sort-order", "sort-order-id": -1 },
        { action: "set-location", location: m.location },
        { action: "set-properties", updates: m.properties },
      ],
    });
    expect(created.status).toBe(200);
    expect(created.body.metadata["table-uuid"]).toBe(m["table-uuid"]);
    const twice = await call(app, "POST", `${R}/namespaces/sales/tables/staged`, {
      requirements: [{ type: "assert-create" }],
      updates: [{ action: "set-location", location: m.location }],
    });
    expect(twice.status).toBe(409);

    await call(app, "POST", `${R}/namespaces`, { namespace: ["archive"] });
    const renamed = await call(app, "POST", `${R}/tables/rename`, {
      source: { namespace: ["sales"], name: "staged" },
      destination: { namespace: ["archive"], name: "staged2" },
    });
    expect(renamed.status).toBe(204);
    expect(await head(`${R}/namespaces/archive/tables/staged2`)).toBe(204);
    expect(await head(`${R}/namespaces/sales/tables/staged`)).toBe(404);
    const renameMissing = await call(app, "POST", `${R}/tables/rename`, {
      source: { namespace: ["sales"], name: "staged" },
      destination: { namespace: ["archive"], name: "x" },
    });
    expect(renameMissing.body.error.type).toBe("NoSuchTableException");
    const renameOnto = await call(app, "POST", `${R}/tables/rename`, {
      source: { namespace: ["sales"], name: "a" },
      destination: { namespace: ["archive"], name: "staged2" },
    });
    expect(renameOnto.body.error.type).toBe("AlreadyExistsException");

    const loc = created.body["metadata-location"];
    const registered = await call(app, "POST", `${R}/namespaces/archive/register`, {
      name: "copy",
      "metadata-location": loc,
    });
    expect(registered.status).toBe(200);
    expect(registered.body["metadata-location"]).toBe(loc);
    const again = await call(app, "POST", `${R}/namespaces/archive/register`, {
      name: "copy",
      "metadata-location": loc,
    });
    expect(again.status).toBe(409);
    const over = await call(app, "POST", `${R}/namespaces/archive/register`, {
      name: "copy",
      "metadata-location": loc,
      overwrite: true,
    });
    expect(over.status).toBe(200);

    expect(
      (await call(app, "DELETE", `${R}/namespaces/archive/tables/copy?purgeRequested=true`)).status,
    ).toBe(204);
    expect((await call(app, "DELETE", `${R}/namespaces/archive/tables/copy`)).body.error.type).toBe(
      "NoSuchTableException",
    );
  });

  it("loads a table a Nessie client committed, and serves both path layouts and refs", async () => {
    // A NessieCatalog writes the metadata file itself and commits ICEBERG_TABLE content.
    const orders = await call(app, "GET", `${R}/namespaces/sales/tables/orders`);
    const mainHead = (await call(app, "GET", "/api/v2/trees/main")).body.reference.hash;
    await commitOps(app, "main", mainHead, [
      put(["sales", "from_nessie"], tableContent(orders.body["metadata-location"], -1)),
    ]);
    const loaded = await call(app, "GET", `${R}/namespaces/sales/tables/from_nessie`);
    expect(loaded.status).toBe(200);
    expect(loaded.body.metadata["table-uuid"]).toBe(orders.body.metadata["table-uuid"]);

    await branch(app, "dev");
    const onDev = await call(
      app,
      "POST",
      "/iceberg/dev/v1/dev/namespaces/sales/tables",
      createTableBody("dev_only"),
    );
    expect(onDev.status).toBe(200);
    expect((await call(app, "GET", "/iceberg/dev/v1/namespaces/sales/tables/dev_only")).status).toBe(200);
    expect(
      (await call(app, "GET", "/iceberg/v1/dev%7Cs3%3A%2F%2Fwh/namespaces/sales/tables/dev_only")).status,
    ).toBe(200);
    expect((await call(app, "GET", `${R}/namespaces/sales/tables/dev_only`)).status).toBe(404);
    expect((await call(app, "GET", "/iceberg/v1/namespaces/sales/tables/orders")).status).toBe(200);

    await branch(app, "feature/x");
    const slashed = await call(app, "GET", "/iceberg/feature%2Fx/v1/config");
    expect(slashed.body.overrides.prefix).toBe("feature%2Fx");
    expect(
      (await call(app, "POST", "/iceberg/feature%2Fx/v1/feature%2Fx/namespaces", { namespace: ["fx"] }))
        .status,
    ).toBe(200);
    expect((await call(app, "GET", "/iceberg/v1/feature%2Fx/namespaces/fx")).status).toBe(200);
    expect((await call(app, "GET", `${R}/namespaces/fx`)).status).toBe(404);

    const devHead = (await call(app, "GET", "/api/v2/trees/dev")).body.reference.hash;
    await call(app, "POST", `/api/v2/trees?name=v1&type=TAG`, { type: "BRANCH", name: "dev", hash: devHead });
    expect((await call(app, "GET", "/iceberg/v1/v1/namespaces/sales/tables/dev_only")).status).toBe(200);
    expect(
      (await call(app, "GET", `/iceberg/v1/dev@${devHead}/namespaces/sales/tables/dev_only`)).status,
    ).toBe(200);
    for (const prefix of ["v1", `dev@${devHead}`]) {
      const write = await call(app, "POST", `/iceberg/v1/${prefix}/namespaces`, { namespace: ["x"] });
      expect(write.status).toBe(403);
      expect(write.body.error.type).toBe("ForbiddenException");
    }
    expect((await call(app, "GET", "/iceberg/v1/nobranch/namespaces")).status).toBe(404);
  });
});
