import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./helpers.ts";
import { createTableBody, openIcebergApp, SCHEMA, VIEW_BODY } from "./iceberg-helpers.ts";

/**
 * What Iceberg's REST Compatibility Kit (interop/rck/run.sh) found, one case each: requested
 * locations kept as spelled, v1 create transactions, a schema after a dropped column, the reference
 * wording of failed requirements and name clashes, register-view, and a missing metadata file.
 */
describe("Iceberg REST: the compatibility kit's findings", () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let warehouse: string;
  const R = "/iceberg/v1/main";

  beforeAll(async () => {
    const opened = await openIcebergApp("pglite:memory");
    ({ app, close, warehouse } = opened);
    await call(app, "POST", `${R}/namespaces`, { namespace: ["ns"] });
    await call(app, "POST", `${R}/namespaces/ns/tables`, createTableBody("t"));
    await call(app, "POST", `${R}/namespaces/ns/views`, VIEW_BODY("v"));
  });
  afterAll(async () => close());

  it("keeps a requested table or view location as the client spelled it", async () => {
    const hadoop = `file:${warehouse}/ns/spelled`; // Hadoop's file:/path spelling
    const created = await call(
      app,
      "POST",
      `${R}/namespaces/ns/tables`,
      createTableBody("spelled", { location: hadoop }),
    );
    expect(created.status).toBe(200);
    expect(created.body.metadata.location).toBe(hadoop);
    expect(created.body["metadata-location"]).toMatch(new RegExp(`^${hadoop}/metadata/00000-`));
    const staged = await call(
      app,
      "POST",
      `${R}/namespaces/ns/tables`,
      createTableBody("staged", { location: `${hadoop}2/`, "stage-create": true }),
    );
    expect(staged.body.metadata.location).toBe(`${hadoop}2`);
    const plain = await call(
      app,
      "POST",
      `${R}/namespaces/ns/tables`,
      createTableBody("plain", { location: `${warehouse}/ns/plain/` }),
    );
    expect(plain.body.metadata.location).toBe(`file://${warehouse}/ns/plain`);
    const view = await call(app, "POST", `${R}/namespaces/ns/views`, {
      ...VIEW_BODY("spelled_view"),
      location: `file:${warehouse}/ns/spelled_view`,
    });
    expect(view.body.metadata.location).toBe(`file:${warehouse}/ns/spelled_view`);
  });

  it("creates a format v1 table in a create transaction", async () => {
    const res = await call(app, "POST", `${R}/namespaces/ns/tables/v1t`, {
      requirements: [{ type: "assert-create" }],
      updates: [
        { action: "upgrade-format-version", "format-version": 1 },
        { action: "add-schema", schema: SCHEMA },
        { action: "set-current-schema", "schema-id": -1 },
        { action: "set-location", location: `${warehouse}/ns/v1t` },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.metadata["format-version"]).toBe(1);
  });

  it("adds a schema whose highest field id is below the table's after a dropped column", async () => {
    const res = await call(app, "POST", `${R}/namespaces/ns/tables/t`, {
      requirements: [{ type: "assert-current-schema-id", "current-schema-id": 0 }],
      updates: [
        {
          action: "add-schema",
          schema: { type: "struct", "schema-id": 1, fields: [SCHEMA.fields[0]] },
          "last-column-id": 1,
        },
        { action: "set-current-schema", "schema-id": -1 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.metadata["current-schema-id"]).toBe(1);
    expect(res.body.metadata["last-column-id"]).toBe(2);
  });

  it("words failed requirements as Iceberg's catalogs do", async () => {
    const stale = await call(app, "POST", `${R}/namespaces/ns/tables/t`, {
      requirements: [{ type: "assert-current-schema-id", "current-schema-id": 0 }],
      updates: [{ action: "set-properties", updates: { a: "b" } }],
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.type).toBe("CommitFailedException");
    expect(stale.body.error.message).toMatch(
      /^Requirement failed: current schema changed: expected id 0, found 1/,
    );
    const exists = await call(app, "POST", `${R}/namespaces/ns/tables/t`, {
      requirements: [{ type: "assert-create" }],
      updates: [{ action: "add-schema", schema: SCHEMA }],
    });
    expect(exists.status).toBe(409);
    expect(exists.body.error.message).toMatch(/^Requirement failed: table already exists/);
  });

  it("refuses a create transaction on a view's name as AlreadyExists", async () => {
    const res = await call(app, "POST", `${R}/namespaces/ns/tables/v`, {
      requirements: [{ type: "assert-create" }],
      updates: [
        { action: "add-schema", schema: SCHEMA },
        { action: "set-location", location: `${warehouse}/ns/vt` },
      ],
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      type: "AlreadyExistsException",
      message: "View with same name already exists: ns.v",
    });
  });

  it("names both sides when a rename target is taken", async () => {
    const view = await call(app, "POST", `${R}/views/rename`, {
      source: { namespace: ["ns"], name: "v" },
      destination: { namespace: ["ns"], name: "t" },
    });
    expect(view.status).toBe(409);
    expect(view.body.error.message).toBe("Cannot rename ns.v to ns.t. Table already exists");
    const table = await call(app, "POST", `${R}/tables/rename`, {
      source: { namespace: ["ns"], name: "t" },
      destination: { namespace: ["ns"], name: "v" },
    });
    expect(table.status).toBe(409);
    expect(table.body.error).toMatchObject({
      type: "AlreadyExistsException",
      message: "Cannot rename ns.t to ns.v. View already exists",
    });
  });

  it("answers a view version with two queries for one dialect with IllegalArgumentException", async () => {
    const body = VIEW_BODY("twice");
    const version = body["view-version"];
    const res = await call(app, "POST", `${R}/namespaces/ns/views`, {
      ...body,
      "view-version": {
        ...version,
        representations: [...version.representations, ...version.representations],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe("IllegalArgumentException");
    expect(res.body.error.message).toContain(
      "Invalid view version: Cannot add multiple queries for dialect spark",
    );
    expect((await call(app, "GET", `${R}/namespaces/ns/views/twice`)).status).toBe(404);
  });

  it("registers a view from its metadata file (register-view)", async () => {
    const config = await call(app, "GET", "/iceberg/v1/config");
    expect(config.body.endpoints).toContain("POST /v1/{prefix}/namespaces/{namespace}/register-view");
    const created = await call(app, "POST", `${R}/namespaces/ns/views`, VIEW_BODY("rv"));
    const metadataLocation = created.body["metadata-location"] as string;
    const register = (name: string) =>
      call(app, "POST", `${R}/namespaces/ns/register-view`, { name, "metadata-location": metadataLocation });
    const again = await register("rv");
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe("View already exists: ns.rv");
    const onTable = await register("t");
    expect(onTable.status).toBe(409);
    expect(onTable.body.error.message).toBe("Table with same name already exists: ns.t");
    expect((await call(app, "DELETE", `${R}/namespaces/ns/views/rv`)).status).toBe(204);
    const registered = await register("rv2");
    expect(registered.status).toBe(200);
    expect(registered.body["metadata-location"]).toBe(metadataLocation);
    const loaded = await call(app, "GET", `${R}/namespaces/ns/views/rv2`);
    expect(loaded.body.metadata["view-uuid"]).toBe(created.body.metadata["view-uuid"]);
    expect((await call(app, "GET", "/api/v2/trees/main/contents/ns.rv2")).body.content.type).toBe(
      "ICEBERG_VIEW",
    );
    const missing = await call(app, "POST", `${R}/namespaces/nope/register-view`, {
      name: "x",
      "metadata-location": metadataLocation,
    });
    expect(missing.body.error.type).toBe("NoSuchNamespaceException");
    const outside = await call(app, "POST", `${R}/namespaces/ns/register-view`, {
      name: "x",
      "metadata-location": "/etc/passwd",
    });
    expect(outside.status).toBe(403);
    expect((await call(app, "POST", `${R}/namespaces/ns/register-view`, { name: "x" })).status).toBe(400);
  });
});

describe("Iceberg REST: a table whose metadata file is gone", () => {
  it("answers 404 NotFoundException naming the file once it is not cached", async () => {
    const dir = mkdtempSync(join(tmpdir(), "floe-rck-missing-"));
    try {
      const first = await openIcebergApp(`pglite:${dir}/db`, join(dir, "wh"));
      await call(first.app, "POST", "/iceberg/v1/main/namespaces", { namespace: ["ns"] });
      const created = await call(
        first.app,
        "POST",
        "/iceberg/v1/main/namespaces/ns/tables",
        createTableBody("t"),
      );
      const location = created.body["metadata-location"] as string;
      await first.close();
      rmSync(fileURLToPath(location));
      const second = await openIcebergApp(`pglite:${dir}/db`, join(dir, "wh"));
      try {
        const res = await call(second.app, "GET", "/iceberg/v1/main/namespaces/ns/tables/t");
        expect(res.status).toBe(404);
        expect(res.body.error.type).toBe("NotFoundException");
        expect(res.body.error.message).toContain(`Failed to open input stream for file: ${location}`);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
