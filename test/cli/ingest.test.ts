import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { killLeftovers, runFloe } from "./floe-process.ts";

afterAll(killLeftovers);

describe("floe ingest", () => {
  it("creates and appends with a summary, progress lines in a pipe, and one-line errors", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-ingest-cli-"));
    const rows = ["id,ts,amount"];
    for (let i = 0; i < 1000; i++) rows.push(`${i},2024-01-0${1 + (i % 3)} 10:00:00,${i / 10}`);
    writeFileSync(join(cwd, "events.csv"), `${rows.join("\n")}\n`);
    expect(await runFloe(["sql", "-e", "CREATE NAMESPACE web"], { cwd })).toMatchObject({ code: 0 });

    const created = await runFloe(["ingest", "events.csv", "web.events", "--partition-by", "day(ts)"], {
      cwd,
    });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(
      /^Ingested 1000 rows from 1 csv file \(\d+\.\d kB\) into web\.events on main \(created\): 3 data files, snapshot \d+, \d+\.\d s\n$/,
    );
    // Not a terminal: plain progress lines, the last at 100%.
    expect(created.stderr).toMatch(/^ingest: 100% · .* of .* · ~1\.0k rows · .*\n$/m);

    const appended = await runFloe(["ingest", "events.csv", "web.events", "--json"], { cwd });
    expect(appended).toMatchObject({ code: 0, stderr: "" });
    const summary = JSON.parse(appended.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      table: "web.events",
      ref: "main",
      format: "csv",
      files: 1,
      rows: 1000,
      dataFiles: 3,
      created: false,
      addedColumns: [],
    });
    expect(Object.keys(summary)).toEqual([
      "table",
      "ref",
      "format",
      "files",
      "bytes",
      "rows",
      "dataFiles",
      "dataBytes",
      "snapshotId",
      "created",
      "addedColumns",
      "seconds",
    ]);
    expect(await runFloe(["ingest", "-q", "events.csv", "web.events"], { cwd })).toMatchObject({
      code: 0,
      stdout: "",
      stderr: "",
    });
    const count = await runFloe(["sql", "--format", "csv", "-e", "SELECT count(*) AS n FROM web.events"], {
      cwd,
    });
    expect(count.stdout).toBe("n\n3000\n");

    const warehouse = join(cwd, ".floe", "warehouse", "web");
    const tablesBefore = readdirSync(warehouse);
    for (const [args, error] of [
      [["missing.csv", "web.x"], "error: No such file or directory: missing.csv\n"],
      [["*.parquet", "web.x"], "error: No file matches *.parquet\n"],
      [
        ["events.csv", "events"],
        "error: Name the table with its namespace: <namespace>.<table>, not 'events'\n",
      ],
      [["events.csv", "web.x", "--format", "xml"], "error: Unknown format 'xml': use csv, parquet, json\n"],
      [["events.csv", "web.x", "--branch", "nope"], "error: Named reference 'nope' not found\n"],
    ] as const) {
      const r = await runFloe(["ingest", ...args], { cwd });
      expect(r, args.join(" ")).toMatchObject({ code: 1, stdout: "", stderr: error });
    }
    expect(readdirSync(warehouse)).toEqual(tablesBefore);

    const help = await runFloe(["ingest", "--help"], { cwd });
    for (const option of ["--format", "--partition-by", "--evolve-schema", "--branch", "--json", "--quiet"])
      expect(help.stdout).toContain(option);
  }, 600_000);
});
