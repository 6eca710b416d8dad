import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { openCatalog } from "../../src/catalog/catalog.ts";
import { loadTable, registerTable } from "../../src/catalog/tables.ts";
import { DataFileContent } from "../../src/iceberg/data-file.ts";
import { rowDelta } from "../../src/iceberg/producers/delete.ts";
import { commitTableFile } from "../../src/iceberg/producers/metadata-file.ts";
import { openKvStore } from "../../src/storage/open-kv.ts";
import { ObjectStoreResolver } from "../../src/storage/open-object-store.ts";
import { openVersionStore } from "../../src/versioning/version-store.ts";
import { runFloe } from "./floe-process.ts";

const BIN = fileURLToPath(new URL("../../bin/floe.js", import.meta.url));

/**
 * `floe sql --format csv` over `rows` rows of an Iceberg table, its standard output read and
 * counted here; returns the lines and the process's peak resident set size (bytes), which a
 * preloaded module records as the process exits.
 */
async function csvRun(cwd: string, sql: string): Promise<{ lines: number; peakRss: number }> {
  const rssFile = join(cwd, `rss-${Date.now()}-${Math.random()}`);
  const preload = join(cwd, "peak-rss.mjs");
  writeFileSync(
    preload,
    `import { writeFileSync } from "node:fs";\n` +
      `process.on("exit", () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS * 1024)));\n`,
  );
  const child = spawn(process.execPath, ["--import", preload, BIN, "sql", "--format", "csv", "-e", sql], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let lines = 0;
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    for (const b of d) if (b === 10) lines++;
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  return { lines, peakRss: Number(readFileSync(rssFile, "utf8")) };
}

/** The tests' directories (tables of millions of rows), removed after the file. */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("floe sql streams results", () => {
  it("writes millions of rows as CSV with memory bounded by the batch, not the result", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-sql-mem-"));
    dirs.push(cwd);
    const setup = await runFloe(
      [
        "sql",
        "-e",
        `CREATE NAMESPACE s; CREATE TABLE s.big (id BIGINT, name STRING, amount DOUBLE);
         INSERT INTO s.big SELECT i, 'customer-' || i, i / 7.0 FROM range(4000000) t(i)`,
      ],
      { cwd },
    );
    expect(setup).toMatchObject({ code: 0, stderr: expect.stringContaining("Inserted 4000000 rows") });

    const one = await csvRun(cwd, "SELECT * FROM s.big WHERE id < 1000000");
    const four = await csvRun(cwd, "SELECT * FROM s.big");
    expect(one.lines).toBe(1_000_001); // the header and the rows
    expect(four.lines).toBe(4_000_001);
    // Four times the rows (about 120 MB of CSV) in about the same memory: were the rows held (or
    // hashed by DuckDB, as a join over the files once did), the peak would grow by hundreds of MB
    // per million rows; DuckDB's own caches and a lazy garbage collector account for some growth.
    expect(four.peakRss - one.peakRss).toBeLessThan(300 * 2 ** 20);
    expect(four.peakRss).toBeLessThan(1.5 * 2 ** 30);
    console.log(
      `peak RSS: ${(one.peakRss / 2 ** 20).toFixed(0)} MiB for 1M rows, ${(four.peakRss / 2 ** 20).toFixed(0)} MiB for 4M rows`,
    );
  }, 900_000);

  it("applies position and equality deletes with memory bounded by the batch, not the result", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-sql-mem-deletes-"));
    dirs.push(cwd);
    const setup = await runFloe(
      [
        "sql",
        "-e",
        `CREATE NAMESPACE s;
         CREATE TABLE s.big (id BIGINT, name STRING, amount DOUBLE) TBLPROPERTIES ('write.delete.mode' = 'merge-on-read');
         INSERT INTO s.big SELECT i, 'customer-' || i, i / 7.0 FROM range(4000000) t(i);
         DELETE FROM s.big WHERE id IN (10, 2000000, 3999999)`,
      ],
      { cwd },
    );
    expect(setup).toMatchObject({ code: 0, stderr: expect.stringContaining("Deleted 3 rows") });
    await addEqualityDeletes(cwd, ["s", "big"], [20, 1500000, 3000000]);
    const check = await runFloe(["sql", "--format", "csv", "-e", "SELECT count(*), sum(id) FROM s.big"], {
      cwd,
    });
    const deleted = [10, 2000000, 3999999, 20, 1500000, 3000000];
    const sum = 3999999 * 2000000 - deleted.reduce((a, b) => a + b, 0);
    expect(check).toMatchObject({ code: 0, stdout: `count_star(),sum(id)\n3999994,${sum}\n` });

    const one = await csvRun(cwd, "SELECT * FROM s.big WHERE id < 1000000");
    const four = await csvRun(cwd, "SELECT * FROM s.big");
    expect(one.lines).toBe(1_000_001 - 2);
    expect(four.lines).toBe(4_000_001 - 6);
    // As above: were the rows joined with their files (or the deletes) on DuckDB's build side, the
    // peak would grow by hundreds of MB per million rows.
    expect(four.peakRss - one.peakRss).toBeLessThan(300 * 2 ** 20);
    expect(four.peakRss).toBeLessThan(1.5 * 2 ** 30);
    console.log(
      `with deletes, peak RSS: ${(one.peakRss / 2 ** 20).toFixed(0)} MiB for 1M rows, ${(four.peakRss / 2 ** 20).toFixed(0)} MiB for 4M rows`,
    );
  }, 900_000);
});

/**
 * Commits an equality delete file (on `id`, field id 1) for `ids` to a table of the catalog in
 * `cwd` (floe's defaults: `.floe/catalog`, `.floe/warehouse`) through the table-format layer, as
 * another engine would: floe's own DELETE writes position deletes.
 */
async function addEqualityDeletes(cwd: string, key: string[], ids: number[]): Promise<void> {
  const store = await openVersionStore(await openKvStore(`pglite:${join(cwd, ".floe", "catalog")}`));
  const objects = new ObjectStoreResolver();
  try {
    const catalog = openCatalog({ store, objects, warehouse: join(cwd, ".floe", "warehouse") });
    const { metadataLocation, metadata } = await loadTable(catalog, "main", key);
    const path = join(fileURLToPath(metadata.location), "data", "eq-deletes.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const duck = await instance.connect();
    await duck.run(
      `COPY (SELECT unnest([${ids.join(", ")}])::BIGINT AS id) TO '${path}' (FORMAT parquet, FIELD_IDS {id: 1})`,
    );
    duck.closeSync();
    instance.closeSync();
    const files = objects.storeFor(metadataLocation);
    const produced = await rowDelta({
      metadata,
      store: files,
      snapshotId: 4242n,
      deleteFiles: [
        {
          specId: 0,
          files: [
            {
              content: DataFileContent.EQUALITY_DELETES,
              filePath: `file://${path}`,
              fileFormat: "PARQUET",
              partition: [],
              recordCount: BigInt(ids.length),
              fileSizeInBytes: BigInt(statSync(path).size),
              equalityIds: [1],
            },
          ],
        },
      ],
    });
    const next = await commitTableFile(files, { location: metadataLocation, metadata }, produced);
    await registerTable(catalog, "main", key, next.location, {
      overwrite: true,
      meta: (message) => ({ message }),
    });
  } finally {
    await store.close();
    await objects.close();
  }
}
