import { DuckDBInstance } from "@duckdb/node-api";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openCatalog } from "../../src/catalog/catalog.ts";
import type { CatalogContext } from "../../src/catalog/context.ts";
import { loadTable } from "../../src/catalog/tables.ts";
import { ingest } from "../../src/engine/ingest/ingest.ts";
import { openRestCatalog } from "../../src/engine/ingest/rest-catalog.ts";
import { allRows } from "../../src/engine/sql/result.ts";
import { SqlSession } from "../../src/engine/sql/session.ts";
import { appendRows, type WriteTarget } from "../../src/engine/sql/writes.ts";
import { buildApp } from "../../src/server/app.ts";
import { openKvStore } from "../../src/storage/open-kv.ts";
import { ObjectStoreResolver } from "../../src/storage/open-object-store.ts";
import type { VersionStoreApi } from "../../src/versioning/api.ts";
import { openVersionStore } from "../../src/versioning/version-store.ts";

/**
 * An ingest committing through a real server's Iceberg REST API (in this process, over HTTP) while
 * another writer commits to the same table between its load and its commit: the server refuses
 * the first commit (409), the ingest reloads and commits again with the same data files.
 */

let store: VersionStoreApi;
let objects: ObjectStoreResolver;
let catalog: CatalogContext;
let app: FastifyInstance;
let url: string;
const dir = mkdtempSync(join(tmpdir(), "floe-ingest-remote-"));

beforeAll(async () => {
  store = await openVersionStore(await openKvStore("pglite:memory"));
  objects = new ObjectStoreResolver({});
  const warehouse = join(dir, "warehouse");
  catalog = openCatalog({ store, objects, warehouse });
  app = await buildApp({ store, iceberg: { objects, warehouse } });
  url = await app.listen({ port: 0, host: "127.0.0.1" });
  await sql("CREATE NAMESPACE web");
});

afterAll(async () => {
  await app.close();
  await store.close();
  await objects.close();
});

async function sql(statement: string): Promise<unknown[][]> {
  const s = await SqlSession.open({ catalog, objects });
  try {
    return await allRows(await s.execute(statement));
  } finally {
    await s.close();
  }
}

it("retries a refused commit on the new head with the same data files, removing the refused attempt's", async () => {
  const csv = join(dir, "first.csv");
  writeFileSync(csv, "id,name\n1,a\n2,b\n");
  const created = await ingest({ server: url, objects, input: csv, table: "web.t", author: "tester" });
  expect(created).toMatchObject({ ref: "main", rows: 2n, created: true });

  // Another writer appends between the ingest's load and its commit: the first commit is refused.
  const rest = await openRestCatalog(url, undefined, "tester", "floe ingest");
  const refused: string[] = [];
  let commits = 0;
  const target: WriteTarget = {
    load: (key) => rest.load(key),
    commit: async (change, message) => {
      if (commits++ === 0) {
        await sql("INSERT INTO web.t VALUES (3, 'c')");
        for (const u of change.updates)
          if (u.action === "add-snapshot" && u.snapshot.manifestList) refused.push(u.snapshot.manifestList);
      }
      await rest.commit(change, message);
    },
  };
  const db = await DuckDBInstance.create(":memory:");
  const duck = await db.connect();
  try {
    const outcome = await appendRows({ duck, objects }, target, ["web", "t"], "SELECT 4 AS id, 'd' AS name");
    expect(commits).toBe(2);
    expect(outcome.rows).toBe(1n);
    const m = (await loadTable(catalog, "main", ["web", "t"])).metadata;
    const appended = m.snapshots.find((x) => x.snapshotId === outcome.snapshotId);
    const inserted = m.snapshots.find((x) => x.snapshotId === appended?.parentSnapshotId);
    expect(inserted?.summary?.operation).toBe("append");
    expect(m.snapshots).toHaveLength(3);
    expect(refused).toHaveLength(1);
    expect(existsSync(fileURLToPath(refused[0] as string))).toBe(false);
    for (const f of outcome.files) expect(existsSync(fileURLToPath(f.filePath))).toBe(true);
  } finally {
    duck.closeSync();
    db.closeSync();
  }
  const rows = await sql("SELECT id, name FROM web.t ORDER BY id");
  expect(rows.map((r) => r.map(String).join(":"))).toEqual(["1:a", "2:b", "3:c", "4:d"]);
});
