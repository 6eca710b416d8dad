import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/server/app.ts";
import type { SqlLimits } from "../../src/server/routes/sql.ts";
import { openKvStore } from "../../src/storage/open-kv.ts";
import { ObjectStoreResolver } from "../../src/storage/open-object-store.ts";
import type { S3Settings } from "../../src/storage/s3-object-store.ts";
import type { VersionStoreApi } from "../../src/versioning/api.ts";
import { openVersionStore } from "../../src/versioning/version-store.ts";

/** An app with the Iceberg REST API over `storeUrl` (PGlite or PostgreSQL) and a warehouse. */
export async function openIcebergApp(
  storeUrl: string,
  warehouse = mkdtempSync(join(tmpdir(), "floe-iceberg-wh-")),
  s3?: S3Settings,
  allowedLocations: readonly string[] = [],
  sql?: SqlLimits,
): Promise<{ app: FastifyInstance; store: VersionStoreApi; warehouse: string; close: () => Promise<void> }> {
  const kv = await openKvStore(storeUrl);
  const store = await openVersionStore(kv);
  const objects = new ObjectStoreResolver(s3 ? { s3 } : {});
  const app = await buildApp({
    store,
    iceberg: { objects, warehouse, allowedLocations, ...(s3 ? { s3 } : {}) },
    ...(sql ? { sql } : {}),
  });
  return {
    app,
    store,
    warehouse,
    close: async () => {
      await app.close();
      await store.close();
      await objects.close();
    },
  };
}

export const SCHEMA = {
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: true, type: "long" },
    { id: 2, name: "data", required: false, type: "string" },
  ],
};

export const createTableBody = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  schema: SCHEMA,
  "partition-spec": {
    "spec-id": 0,
    fields: [{ "source-id": 1, "field-id": 1000, name: "id_bucket", transform: "bucket[4]" }],
  },
  properties: { owner: "test" },
  ...extra,
});

export const VIEW_BODY = (name: string, sql = "SELECT 1 AS id") => ({
  name,
  schema: { type: "struct", "schema-id": 0, fields: [{ id: 1, name: "id", required: false, type: "int" }] },
  "view-version": {
    "version-id": 1,
    "schema-id": 0,
    "timestamp-ms": 1700000000000,
    summary: { "engine-name": "test" },
    representations: [{ type: "sql", sql, dialect: "spark" }],
    "default-namespace": ["ns"],
  },
  properties: { comment: "a view" },
});
