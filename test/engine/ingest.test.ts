import { DuckDBInstance } from "@duckdb/node-api";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openCatalog } from "../../src/catalog/catalog.ts";
import type { CatalogContext } from "../../src/catalog/context.ts";
import { loadTable } from "../../src/catalog/tables.ts";
import { ingest, type IngestOptions, type IngestProgress } from "../../src/engine/ingest/ingest.ts";
import { SqlSession } from "../../src/engine/sql/session.ts";
import { allRows } from "../../src/engine/sql/result.ts";
import { openKvStore } from "../../src/storage/open-kv.ts";
import { ObjectStoreResolver } from "../../src/storage/open-object-store.ts";
import type { VersionStoreApi } from "../../src/versioning/api.ts";
import { openVersionStore } from "../../src/versioning/version-store.ts";

interface Fixture {
  store: VersionStoreApi;
  objects: ObjectStoreResolver;
  catalog: CatalogContext;
  warehouse: string;
}

/** An embedded catalog (PGlite in memory) over `warehouse` (a temp directory by default). */
async function openFixture(warehouse?: string): Promise<Fixture> {
  const store = await openVersionStore(await openKvStore("pglite:memory"));
  const s3 = inject("s3");
  const objects = new ObjectStoreResolver({
    s3: { endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const wh = warehouse ?? mkdtempSync(join(tmpdir(), "floe-ingest-wh-"));
  return { store, objects, catalog: openCatalog({ store, objects, warehouse: wh }), warehouse: wh };
}

const dir = mkdtempSync(join(tmpdir(), "floe-ingest-in-"));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
};

/** Writes a Parquet file with DuckDB from a query. */
async function parquet(name: string, query: string): Promise<string> {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  await c.run(`COPY (${query}) TO '${path}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
  return path;
}

async function query(f: Fixture, sql: string, ref?: string): Promise<unknown[][]> {
  const s = await SqlSession.open({ catalog: f.catalog, objects: f.objects, ...(ref ? { ref } : {}) });
  try {
    return await allRows(await s.execute(sql));
  } finally {
    await s.close();
  }
}

const head = async (f: Fixture, ref = "main") => (await f.store.getReference(ref)).hash;

/** Every file under a local directory. */
function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }))
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(join(d, e.name));
  };
  walk(root);
  return out;
}

const run = (f: Fixture, o: Omit<IngestOptions, "catalog" | "objects">) =>
  ingest({ catalog: f.catalog, objects: f.objects, ...o });

describe("floe ingest (engine)", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture();
    await query(f, "CREATE NAMESPACE web");
  });
  afterAll(async () => {
    await f.store.close();
    await f.objects.close();
  });

  it("creates a partitioned table from CSV in one commit, then appends matching columns by name", async () => {
    const csv = file(
      "events.csv",
      "id,name,ts,amount\n1,ann,2024-01-01 10:00:00,1.5\n2,bob,2024-01-02 11:00:00,2.5\n3,cy,2024-01-02 12:00:00,\n",
    );
    const before = await head(f);
    const progress: IngestProgress[] = [];
    const s = await run(f, {
      input: csv,
      table: "web.events",
      partitionBy: "day(ts), bucket(4, id)",
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 5,
    });
    expect(s).toMatchObject({
      table: "web.events",
      ref: "main",
      format: "csv",
      files: 1,
      rows: 3n,
      created: true,
      addedColumns: [],
    });
    expect(s.dataFiles).toBeGreaterThanOrEqual(2);
    expect(s.bytes).toBe(statSync(csv).size);
    const log = await f.store.log(await head(f), { limitHash: before });
    // The log down to and including `before`: one commit.
    expect(log.items.map((e) => e.commitMeta.message).slice(0, -1)).toEqual([
      "Ingest 1 csv file(s) into new table web.events",
    ]);
    expect(log.items[0]?.commitMeta.properties).toMatchObject({ application: "floe ingest" });
    const { metadata } = await loadTable(f.catalog, "main", ["web", "events"]);
    expect(metadata.currentSnapshotId).toBe(s.snapshotId);
    expect(metadata.partitionSpecs[0]?.fields.map((x) => x.name)).toEqual(["ts_day", "id_bucket"]);
    const schema = metadata.schemas[0];
    expect(schema?.fields.map((x) => [x.id, x.name, x.type.type])).toEqual([
      [1, "id", "long"],
      [2, "name", "string"],
      [3, "ts", "timestamp"],
      [4, "amount", "double"],
    ]);
    // Progress went forward and ended at 100%.
    expect(progress.at(-1)).toMatchObject({ fraction: 1, bytesRead: s.bytes });
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!.fraction).toBeGreaterThanOrEqual(progress[i - 1]!.fraction);

    // Another file: columns in another order and case, one missing (null), an integer written as
    // the table's double, a timestamp parsed as the table's type.
    const more = file("more.csv", "TS,ID,Amount\n2024-01-03 00:00:00,4,7\n");
    const before2 = await head(f);
    const a = await run(f, { input: more, table: "web.events" });
    expect(a).toMatchObject({ rows: 1n, created: false, files: 1 });
    expect((await f.store.log(await head(f), { limitHash: before2 })).items).toHaveLength(2);
    expect(await query(f, "SELECT id, name, ts, amount FROM web.events ORDER BY id")).toEqual([
      ["1", "ann", "2024-01-01 10:00:00", 1.5],
      ["2", "bob", "2024-01-02 11:00:00", 2.5],
      ["3", "cy", "2024-01-02 12:00:00", null],
      ["4", null, "2024-01-03 00:00:00", 7],
    ]);

    // The same --partition-by on the existing table is fine; another one is refused.
    await run(f, { input: more, table: "web.events", partitionBy: "days(ts), bucket(4, id)" });
    await expect(run(f, { input: more, table: "web.events", partitionBy: "day(ts)" })).rejects.toThrow(
      "Table web.events exists with another partitioning; --partition-by only shapes a table the ingest creates",
    );
  });

  it("refuses columns the table lacks unless --evolve-schema adds them, in the same commit", async () => {
    const wide = file("wide.csv", "id,name,city\n10,dee,Oslo\n");
    await expect(run(f, { input: wide, table: "web.events" })).rejects.toThrow(
      "Table web.events has no column city (add it with --evolve-schema)",
    );
    const before = await head(f);
    const s = await run(f, { input: wide, table: "web.events", evolveSchema: true });
    expect(s).toMatchObject({ rows: 1n, addedColumns: ["city"] });
    expect((await f.store.log(await head(f), { limitHash: before })).items).toHaveLength(2);
    const { metadata } = await loadTable(f.catalog, "main", ["web", "events"]);
    expect(
      metadata.schemas.find((x) => x.schemaId === metadata.currentSchemaId)?.fields.at(-1),
    ).toMatchObject({ id: 5, name: "city", required: false, type: { type: "string" } });
    expect(await query(f, "SELECT id, city FROM web.events WHERE id >= 4 ORDER BY id")).toEqual([
      ["4", null],
      ["4", null],
      ["10", "Oslo"],
    ]);
  });

  it("reads Parquet (promoting int to long, refusing an incompatible type) and NDJSON, from a directory and a glob", async () => {
    const p1 = await parquet("pq/a.parquet", "SELECT 1::INTEGER AS id, 'x' AS s");
    await parquet("pq/sub/b.parquet", "SELECT 2::BIGINT AS id, 'y' AS s, 1.5::FLOAT AS f");
    file("pq/_SUCCESS", "");
    const s = await run(f, { input: join(dir, "pq"), table: "web.pq", evolveSchema: true });
    expect(s).toMatchObject({ format: "parquet", files: 2, rows: 2n, created: true });
    expect(await query(f, "SELECT id, s, f FROM web.pq ORDER BY id")).toEqual([
      ["1", "x", null],
      ["2", "y", 1.5],
    ]);
    await run(f, { input: p1, table: "web.pq" }); // int into the table's long
    const bad = await parquet("pq-bad.parquet", "SELECT 'three' AS id");
    await expect(run(f, { input: bad, table: "web.pq" })).rejects.toThrow(
      "Column id cannot go into table web.pq: the input has string, the table long",
    );

    file("js/1.ndjson", '{"id": 1, "tags": ["a"], "at": "2024-05-01T10:00:00Z"}\n');
    file("js/2.json", '[{"id": 2, "tags": [], "extra": {"k": 1}}]');
    const j = await run(f, { input: join(dir, "js", "*.*json"), table: "web.js" });
    expect(j).toMatchObject({ format: "json", files: 2, rows: 2n });
    expect(await query(f, "SELECT id, tags, extra.k FROM web.js ORDER BY id")).toEqual([
      ["1", ["a"], null],
      ["2", [], "1"],
    ]);
    // JSON text is parsed as the table's types: a number into the string column... and a bad one.
    file("js-more/3.ndjson", '{"id": "3", "tags": ["b", "c"]}\n');
    await run(f, { input: join(dir, "js-more"), table: "web.js" });
    expect(await query(f, "SELECT count(*) FROM web.js")).toEqual([["3"]]);
  });

  it("refuses bad input with one line, committing nothing and leaving no file", async () => {
    const before = await head(f);
    const filesBefore = filesUnder(f.warehouse).length;
    const big = ["id,v"];
    for (let i = 0; i < 30_000; i++) big.push(i === 25_000 ? "25000,abc" : `${i},${i * 2}`);
    const malformed = file("malformed.csv", `${big.join("\n")}\n`);
    const cases: Array<[Omit<IngestOptions, "catalog" | "objects">, string | RegExp]> = [
      [
        { input: join(dir, "nope.csv"), table: "web.x" },
        `No such file or directory: ${join(dir, "nope.csv")}`,
      ],
      [{ input: join(dir, "*.nothing"), table: "web.x" }, `No file matches ${join(dir, "*.nothing")}`],
      [
        { input: malformed, table: "web.x", partitionBy: "bucket(2, id)" },
        `Conversion Error: CSV Error on Line: 25002; Error when converting column "v". Could not convert string "abc" to 'BIGINT'; file ${malformed}`,
      ],
      [
        { input: file("notanumber.csv", "id,name\n7,a\nseven,b\n"), table: "web.events" },
        /^Conversion Error: CSV Error on Line: 3; Error when converting column "id"\. Could not convert string "seven" to 'BIGINT'; file /,
      ],
      [{ input: file("x.xml", "<a/>"), table: "web.x" }, /Cannot tell the format of .*x\.xml from its name/],
      [{ input: malformed, table: "x" }, "Name the table with its namespace: <namespace>.<table>, not 'x'"],
      [{ input: malformed, table: "web.x", ref: "nope" }, "Named reference 'nope' not found"],
      [{ input: malformed, table: "nons.x" }, "Namespace does not exist: nons"],
      [
        { input: malformed, table: "web.x", partitionBy: "days(nope)" },
        "Cannot partition by nope: no such column",
      ],
      [{ input: malformed, table: "web.x", partitionBy: "frob(id)" }, /Invalid --partition-by 'frob\(id\)'/],
    ];
    for (const [opts, error] of cases)
      await expect(run(f, opts), JSON.stringify(opts)).rejects.toThrow(error);
    expect(await head(f)).toBe(before);
    expect(filesUnder(f.warehouse)).toHaveLength(filesBefore);
  });

  // Where the abort lands needs no timing: every ingest reports its progress at least once before
  // it commits (the final report, fraction 1, comes right before the commit), and the signal is
  // checked after that report. Aborting at the first report interrupts DuckDB if it is still
  // writing, else the check refuses the commit; aborting at the final report always meets the check.
  const interruptions: Array<[string, (p: IngestProgress) => boolean, boolean]> = [
    ["at the first report, new table", () => true, false],
    ["at the final report, new table", (p) => p.fraction === 1, false],
    ["at the final report, existing table", (p) => p.fraction === 1, true],
  ];
  it.each(interruptions)(
    "stops when interrupted %s, committing nothing and removing its files",
    async (_, when, exists) => {
      const table = `web.interrupted_${randomUUID().slice(0, 8)}`;
      const rows = ["id,ts"];
      for (let i = 0; i < 200_000; i++) rows.push(`${i},2024-01-0${1 + (i % 9)} 10:00:00`);
      const big = file(`${table}.csv`, `${rows.join("\n")}\n`);
      if (exists)
        await run(f, { input: file(`${table}-first.csv`, "id,ts\n1,2024-01-01 10:00:00\n"), table });
      const before = await head(f);
      const filesBefore = filesUnder(f.warehouse).length;
      const abort = new AbortController();
      const reports: IngestProgress[] = [];
      await expect(
        run(f, {
          input: big,
          table,
          ...(exists ? {} : { partitionBy: "day(ts)" }),
          signal: abort.signal,
          progressIntervalMs: 1,
          onProgress: (p) => {
            reports.push(p);
            if (when(p)) abort.abort();
          },
        }),
      ).rejects.toThrow("Interrupted: nothing was committed");
      expect(reports.filter(when).length).toBeGreaterThan(0);
      expect(await head(f)).toBe(before);
      expect(filesUnder(f.warehouse)).toHaveLength(filesBefore);
    },
  );

  it("commits to a branch and refuses a tag", async () => {
    await query(f, "CREATE BRANCH dev");
    await query(f, "CREATE TAG v1");
    const csv = file("dev.csv", "id\n100\n");
    const mainHead = await head(f);
    await run(f, { input: csv, table: "web.devonly", ref: "dev" });
    expect(await head(f)).toBe(mainHead);
    expect(await query(f, "SELECT id FROM web.devonly", "dev")).toEqual([["100"]]);
    await expect(run(f, { input: csv, table: "web.devonly", ref: "v1" })).rejects.toThrow(
      "Cannot ingest into tag v1: tags are read-only",
    );
  });

  it("writes to a warehouse on S3", async () => {
    const s3 = inject("s3");
    const g = await openFixture(`s3://${s3.bucket}/ingest-${randomUUID()}`);
    try {
      await query(g, "CREATE NAMESPACE web");
      const csv = file("s3.csv", "id,ts\n1,2024-01-01 10:00:00\n2,2024-01-02 10:00:00\n");
      const s = await run(g, { input: csv, table: "web.t", partitionBy: "day(ts)" });
      expect(s).toMatchObject({ rows: 2n, dataFiles: 2, created: true });
      await run(g, { input: csv, table: "web.t" });
      const { metadata } = await loadTable(g.catalog, "main", ["web", "t"]);
      expect(metadata.location).toMatch(/^s3:\/\//);
      expect(metadata.snapshots).toHaveLength(2);
      expect(await query(g, "SELECT count(*), count(DISTINCT id) FROM web.t")).toEqual([["4", "2"]]);
    } finally {
      await g.store.close();
      await g.objects.close();
    }
  });
});
