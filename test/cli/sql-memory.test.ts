import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
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

describe("floe sql streams results", () => {
  it("writes millions of rows as CSV with memory bounded by the batch, not the result", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-sql-mem-"));
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
});
