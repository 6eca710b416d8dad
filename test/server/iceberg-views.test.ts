import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPgDatabase } from "../support/pg.ts";
import { call } from "./helpers.ts";
import { createTableBody, openIcebergApp, VIEW_BODY } from "./iceberg-helpers.ts";

const BACKENDS: Array<[string, () => Promise<string>]> = [
  ["PGlite", async () => "pglite:memory"],
  ["PostgreSQL", freshPgDatabase],
];

describe.each(BACKENDS)("Iceberg REST views, transactions and metrics on %s", (_name, storeUrl) => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  const R = "/iceberg/v1/main";

  beforeAll(async () => {
    const opened = await openIcebergApp(await storeUrl());
    app = opened.app;
    close = opened.close;
    await call(app, "POST", `${R}/namespaces`, { namespace: ["ns"] });
    await call(app, "POST", `${R}/namespaces`, { namespace: ["other"] });
  });
  afterAll(async () => close());

  it("creates, loads, replaces, renames and drops views", async () => {
    const created = await call(app, "POST", `${R}/namespaces/ns/views`, VIEW_BODY("v"));
    expect(created.status).toBe(200);
    expect(created.body["metadata-location"]).toMatch(
      /\/ns\/v_[0-9a-f]{32}\/metadata\/00000-.*\.metadata\.json$/,
    );
    expect(created.body.metadata["current-version-id"]).toBe(1);
    const content = await call(app, "GET", "/api/v2/trees/main/contents/ns.v");
    expect(content.body.content).toMatchObject({
      type: "ICEBERG_VIEW",
      metadataLocation: created.body["metadata-location"],
      sqlText: "SELECT 1 AS id",
      dialect: "spark",
    });
    expect((await call(app, "POST", `${R}/namespaces/ns/views`, VIEW_BODY("v"))).body.error.type).toBe(
      "AlreadyExistsException",
    );
    await call(app, "POST", `${R}/namespaces/ns/tables`, createTableBody("t"));
    const clash = await call(app, "POST", `${R}/namespaces/ns/views`, VIEW_BODY("t"));
    expect(clash.status).toBe(409);
    expect((await call(app, "GET", `${R}/namespaces/ns/views/t`)).body.error.type).toBe(
      "NoSuchViewException",
    );
    expect((await call(app, "GET", `${R}/namespaces/ns/tables/v`)).body.error.type).toBe(
      "NoSuchTableException",
    );

    const loaded = await call(app, "GET", `${R}/namespaces/ns/views/v`);
    expect(loaded.body.metadata.versions[0].representations[0].sql).toBe("SELECT 1 AS id");
    expect((await app.inject({ method: "HEAD", url: `${R}/namespaces/ns/views/v` })).statusCode).toBe(204);
    expect((await call(app, "GET", `${R}/namespaces/ns/views`)).body.identifiers).toEqual([
      { namespace: ["ns"], name: "v" },
    ]);

    const uuid = loaded.body.metadata["view-uuid"];
    const version2 = { ...VIEW_BODY("v", "SELECT 2 AS id")["view-version"], "version-id": 2 };
    const replaced = await call(app, "POST", `${R}/namespaces/ns/views/v`, {
      requirements: [{ type: "assert-view-uuid", uuid }],
      updates: [
        { action: "add-view-version", "view-version": version2 },
        { action: "set-current-view-version", "view-version-id": -1 },
      ],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.metadata["current-version-id"]).toBe(2);
    expect(replaced.body["metadata-location"]).toMatch(/\/metadata\/00001-/);
    const wrong = await call(app, "POST", `${R}/namespaces/ns/views/v`, {
      requirements: [{ type: "assert-view-uuid", uuid: "00000000-0000-0000-0000-000000000000" }],
      updates: [],
    });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.type).toBe("CommitFailedException");

    const renamed = await call(app, "POST", `${R}/views/rename`, {
      source: { namespace: ["ns"], name: "v" },
      destination: { namespace: ["other"], name: "v2" },
    });
    expect(renamed.status).toBe(204);
    expect(
      (await call(app, "GET", `${R}/namespaces/other/views/v2`)).body.metadata["current-version-id"],
    ).toBe(2);
    expect((await call(app, "DELETE", `${R}/namespaces/other/views/v2`)).status).toBe(204);
    expect((await call(app, "DELETE", `${R}/namespaces/other/views/v2`)).body.error.type).toBe(
      "NoSuchViewException",
    );
  });

  it("commits a transaction over several tables atomically", async () => {
    await call(app, "POST", `${R}/namespaces/ns/tables`, createTableBody("t1"));
    await call(app, "POST", `${R}/namespaces/ns/tables`, createTableBody("t2"));
    const before = (await call(app, "GET", "/api/v2/trees/main")).body.reference.hash;
    const change = (name: string, schemaId: number, value: string) => ({
      identifier: { namespace: ["ns"], name },
      requirements: [{ type: "assert-current-schema-id", "current-schema-id": schemaId }],
      updates: [{ action: "set-properties", updates: { txn: value } }],
    });
    const ok = await call(app, "POST", `${R}/transactions/commit`, {
      "table-changes": [change("t1", 0, "a"), change("t2", 0, "a")],
    });
    expect(ok.status).toBe(204);
    const log = await call(app, "GET", `/api/v2/trees/main/history?limit-hash=${before}`);
    expect(log.body.logEntries).toHaveLength(2); // the transaction's one commit, and `before`
    expect(log.body.logEntries[0].commitMeta.message).toBe("Iceberg commit to ns.t1, ns.t2");

    const failed = await call(app, "POST", `${R}/transactions/commit`, {
      "table-changes": [change("t1", 0, "b"), change("t2", 7, "b")],
    });
    expect(failed.status).toBe(409);
    expect(failed.body.error.type).toBe("CommitFailedException");
    for (const t of ["t1", "t2"])
      expect((await call(app, "GET", `${R}/namespaces/ns/tables/${t}`)).body.metadata.properties.txn).toBe(
        "a",
      );

    const dup = await call(app, "POST", `${R}/transactions/commit`, {
      "table-changes": [change("t1", 0, "c"), change("t1", 0, "c")],
    });
    expect(dup.status).toBe(400);
    const missing = await call(app, "POST", `${R}/transactions/commit`, {
      "table-changes": [change("zz", 0, "c")],
    });
    expect(missing.body.error.type).toBe("NoSuchTableException");
  });

  it("accepts and counts metrics reports", async () => {
    const report = {
      "report-type": "scan-report",
      "table-name": "ns.t1",
      "snapshot-id": 1,
      filter: true,
      "schema-id": 0,
      "projected-field-ids": [1],
      "projected-field-names": ["id"],
      metrics: {},
    };
    const res = await call(app, "POST", `${R}/namespaces/ns/tables/t1/metrics`, report);
    expect(res.status).toBe(204);
    expect((await call(app, "POST", `${R}/namespaces/ns/tables/t1/metrics`, { metrics: {} })).status).toBe(
      400,
    );
    const metrics = await app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.body).toMatch(/floe_iceberg_metrics_reports_total\{type="scan-report"\} 1/);
  });
});
