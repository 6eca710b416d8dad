import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { clientFileIo } from "../../src/server/routes/iceberg/file-io.ts";
import { S3ObjectStore } from "../../src/storage/s3-object-store.ts";
import { freshPgDatabase } from "../support/pg.ts";
import { call } from "./helpers.ts";
import { createTableBody, openIcebergApp } from "./iceberg-helpers.ts";

const s3 = inject("s3");
const settings = { endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };

describe("Iceberg REST with an s3:// warehouse on PostgreSQL", () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  const warehouse = `s3://${s3.bucket}/iceberg-rest-${Date.now()}`;
  const objects = new S3ObjectStore(`s3://${s3.bucket}`, settings);

  beforeAll(async () => {
    const opened = await openIcebergApp(await freshPgDatabase(), warehouse, settings);
    app = opened.app;
    close = opened.close;
  });
  afterAll(async () => {
    await close();
    await objects.close();
  });

  it("hands clients the S3 settings and writes metadata files to the bucket", async () => {
    const config = await call(app, "GET", "/iceberg/main/v1/config");
    expect(config.body.defaults).toEqual({
      "io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
      "s3.endpoint": s3.endpoint,
      "s3.path-style-access": "true",
      "client.region": "us-east-1",
      "s3.region": "us-east-1",
      "s3.access-key-id": s3.accessKeyId,
      "s3.secret-access-key": s3.secretAccessKey,
    });
    await call(app, "POST", "/iceberg/v1/main/namespaces", { namespace: ["lake"] });
    const created = await call(app, "POST", "/iceberg/v1/main/namespaces/lake/tables", createTableBody("t"));
    expect(created.status).toBe(200);
    const location = created.body["metadata-location"] as string;
    expect(location.startsWith(`${warehouse}/lake/t_`)).toBe(true);
    expect(await objects.head(location)).toBeDefined();
    const loaded = await call(app, "GET", "/iceberg/v1/main/namespaces/lake/tables/t");
    expect(loaded.body.config["s3.endpoint"]).toBe(s3.endpoint);
    const committed = await call(app, "POST", "/iceberg/v1/main/namespaces/lake/tables/t", {
      requirements: [],
      updates: [{ action: "set-properties", updates: { a: "b" } }],
    });
    expect(committed.body["metadata-location"]).toMatch(/\/metadata\/00001-/);
    expect(await objects.head(committed.body["metadata-location"])).toBeDefined();
  });

  it("hands out no keys when floe uses the AWS default credential chain, and nothing for local disk", () => {
    expect(clientFileIo("s3://b/w", { region: "eu-west-1" })).toEqual({
      "io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
      "s3.path-style-access": "false",
      "client.region": "eu-west-1",
      "s3.region": "eu-west-1",
    });
    expect(clientFileIo("file:///srv/wh", settings)).toEqual({});
  });
});

describe("Iceberg REST when object storage is unreachable", () => {
  it("a commit that could not write its metadata file is a clean 409, and nothing changes", async () => {
    const dead = { endpoint: "http://127.0.0.1:9", accessKeyId: "a", secretAccessKey: "b" };
    const { app, close } = await openIcebergApp("pglite:memory", undefined, dead, [
      "s3://unreachable-bucket",
    ]);
    try {
      await call(app, "POST", "/iceberg/v1/main/namespaces", { namespace: ["ns"] });
      const created = await call(app, "POST", "/iceberg/v1/main/namespaces/ns/tables", createTableBody("t"));
      expect(created.status).toBe(200);
      const res = await call(app, "POST", "/iceberg/v1/main/namespaces/ns/tables/t", {
        requirements: [],
        updates: [{ action: "set-location", location: "s3://unreachable-bucket/t" }],
      });
      expect(res.status).toBe(409);
      expect(res.body.error.type).toBe("CommitFailedException");
      expect(res.body.error.message).toMatch(/^Nothing was committed: /);
      const loaded = await call(app, "GET", "/iceberg/v1/main/namespaces/ns/tables/t");
      expect(loaded.body["metadata-location"]).toBe(created.body["metadata-location"]);
    } finally {
      await close();
    }
  });
});
