import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { killLeftovers, runFloe, startFloe } from "./floe-process.ts";

afterAll(killLeftovers);

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe("floe ingest while a server holds the embedded catalog", () => {
  it("writes the files itself and commits through the server's Iceberg REST API", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-ingest-remote-"));
    const rows = ["id,ts,amount"];
    for (let i = 0; i < 1000; i++) rows.push(`${i},2024-01-0${1 + (i % 3)} 10:00:00,${i / 10}`);
    writeFileSync(join(cwd, "events.csv"), `${rows.join("\n")}\n`);
    writeFileSync(join(cwd, "more.csv"), "id,ts,amount,note\n5000,2024-02-01 00:00:00,1.5,hello\n");
    writeFileSync(
      join(cwd, "bad.csv"),
      "id,ts,amount\n1,2024-01-01 00:00:00,2.5\nnot-a-number,2024-01-01,1\n",
    );
    const env = { USER: "ingest-tester" };
    const server = await startFloe("serve", ["--port", "0"], { cwd });
    try {
      const floe = (...args: string[]) => runFloe([...args, "--uri", server.url], { cwd, env });
      const count = async (ref: string) =>
        (await floe("sql", "--ref", ref, "--format", "csv", "-e", "SELECT count(*) AS n FROM web.events"))
          .stdout;
      expect(await floe("sql", "-e", "CREATE NAMESPACE web")).toMatchObject({ code: 0 });

      const created = await floe("ingest", "events.csv", "web.events", "--partition-by", "day(ts)");
      expect(created).toMatchObject({ code: 0 });
      expect(created.stdout).toMatch(
        /^Ingested 1000 rows from 1 csv file \(\d+\.\d kB\) into web\.events on main \(created\): 3 data files, snapshot \d+, /,
      );
      const appended = await floe("ingest", "events.csv", "web.events", "--json");
      expect(appended).toMatchObject({ code: 0, stderr: "" });
      expect(JSON.parse(appended.stdout)).toMatchObject({
        ref: "main",
        rows: 1000,
        dataFiles: 3,
        created: false,
      });
      expect(await count("main")).toBe("n\n2000\n");

      // The commit carries the message, the author and the application, as a local ingest's does.
      const log = (await (await fetch(`${server.url}/api/v2/trees/main/history?maxRecords=1`)).json()) as {
        logEntries: Array<{
          commitMeta: { message: string; authors: string[]; allProperties?: Record<string, string[]> };
        }>;
      };
      expect(log.logEntries[0]?.commitMeta).toMatchObject({
        message: expect.stringContaining("web.events") as unknown,
        authors: ["ingest-tester"],
        allProperties: { application: ["floe ingest"] },
      });

      // On a branch; and adding a column with --evolve-schema, in the same commit.
      expect(await floe("sql", "-e", "CREATE BRANCH dev FROM main")).toMatchObject({ code: 0 });
      expect(await floe("ingest", "-q", "events.csv", "web.events", "--branch", "dev")).toMatchObject({
        code: 0,
        stderr: "",
      });
      const evolved = await floe("ingest", "more.csv", "web.events", "--ref", "dev", "--evolve-schema");
      expect(evolved).toMatchObject({ code: 0 });
      expect(evolved.stdout).toContain("on dev adding note:");
      expect(await count("dev")).toBe("n\n3001\n");
      expect(await count("main")).toBe("n\n2000\n");
      const note = await floe(
        "sql",
        "--ref",
        "dev",
        "--format",
        "csv",
        "-e",
        "SELECT id, note FROM web.events WHERE note IS NOT NULL",
      );
      expect(note.stdout).toBe("id,note\n5000,hello\n");

      // A bad input commits nothing and leaves no file behind; errors are one line.
      const warehouse = join(cwd, ".floe", "warehouse");
      const before = filesUnder(warehouse);
      const bad = await floe("ingest", "-q", "bad.csv", "web.events");
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^error: Conversion Error: .*\n$/);
      const badNew = await floe("ingest", "-q", "bad.csv", "web.fresh", "--format", "parquet");
      expect(badNew.code).toBe(1);
      expect(badNew.stderr.split("\n")).toHaveLength(2);
      for (const [args, error] of [
        [["events.csv", "nope.events"], "error: Namespace does not exist: nope\n"],
        [["events.csv", "web.events", "--branch", "nope"], "error: Named reference 'nope' not found\n"],
        [
          ["events.csv", "web.events", "--branch", "main@abcdef12"],
          "error: Cannot ingest into main@abcdef12: give a branch\n",
        ],
      ] as const)
        expect(await floe("ingest", "-q", ...args), args.join(" ")).toMatchObject({
          code: 1,
          stdout: "",
          stderr: error,
        });
      expect(filesUnder(warehouse)).toEqual(before);
      expect(await count("main")).toBe("n\n2000\n");
    } finally {
      await server.stop();
    }
  }, 600_000);
});
