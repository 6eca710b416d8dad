import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { killLeftovers, runFloe, startFloe } from "./floe-process.ts";

afterAll(killLeftovers);

describe("floe sql", () => {
  it("runs statements from -e, a file and stdin on the embedded catalog, on a branch, in each format", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-sql-cli-"));
    const setup = await runFloe(
      [
        "sql",
        "-e",
        `CREATE NAMESPACE s; CREATE TABLE s.t (id INT, name STRING) PARTITIONED BY (bucket(2, id));
         INSERT INTO s.t VALUES (1, 'a, "b"'), (2, NULL); CREATE BRANCH dev`,
      ],
      { cwd },
    );
    expect(setup.stderr).toBe(
      "Created namespace s\nCreated table s.t\nInserted 2 rows into s.t\n" +
        setup.stderr.split("\n")[3] +
        "\n",
    );
    expect(setup.stderr).toMatch(/Created branch dev at [0-9a-f]{64}\n$/);
    expect(setup.stdout).toMatch(/^refType\s+name\s+hash\nBRANCH\s+dev\s+[0-9a-f]{64}\n\(1 row\)\n$/);
    expect(setup.code).toBe(0);

    writeFileSync(
      join(cwd, "more.sql"),
      "INSERT INTO s.t VALUES (3, 'c');\n\nSELECT count(*) AS n FROM s.t;\n",
    );
    const file = await runFloe(["sql", "--branch", "dev", "--format", "csv", "more.sql"], { cwd });
    expect(file).toMatchObject({ code: 0, stdout: "n\n3\n", stderr: "Inserted 1 rows into s.t\n" });

    const stdin = await runFloe(["sql", "--format", "json"], {
      cwd,
      stdin: "SELECT id, name FROM s.t ORDER BY id",
    });
    expect(stdin).toMatchObject({ code: 0, stdout: '{"id":1,"name":"a, \\"b\\""}\n{"id":2,"name":null}\n' });

    const csv = await runFloe(["sql", "--format", "csv", "-e", "SELECT name FROM s.t ORDER BY id"], { cwd });
    expect(csv.stdout).toBe('name\n"a, ""b"""\n\n');

    // -o: CSV to a file; Parquet written by DuckDB, read back
    const toCsv = await runFloe(
      ["sql", "--format", "csv", "-o", "t.csv", "-e", "SELECT id FROM s.t ORDER BY id"],
      {
        cwd,
      },
    );
    expect(toCsv).toMatchObject({ code: 0, stdout: "" });
    expect(readFileSync(join(cwd, "t.csv"), "utf8")).toBe("id\n1\n2\n");
    const toParquet = await runFloe(
      ["sql", "--format", "parquet", "-o", "t.parquet", "-e", "SELECT id, name FROM s.t ORDER BY id"],
      { cwd },
    );
    expect(toParquet).toMatchObject({ code: 0, stdout: "", stderr: "Wrote 2 rows to t.parquet\n" });
    const back = await runFloe(["sql", "--format", "csv", "-e", "SELECT count(*) AS n FROM 't.parquet'"], {
      cwd,
    });
    expect(back.stdout).toBe("n\n2\n");
    expect(await runFloe(["sql", "--format", "parquet", "-e", "SELECT 1"], { cwd })).toMatchObject({
      code: 1,
      stderr: "error: --format parquet writes a file: give it with -o <file>\n",
    });

    // A syntax error names its line and column in the input and shows the line with a caret.
    const syntax = await runFloe(["sql", "-e", "SELECT 1;\nSELECT 1,\n  2 +\n  FROM s.t"], { cwd });
    expect(syntax).toMatchObject({
      code: 1,
      stderr:
        'error: statement 2 (line 2): Syntax error: syntax error at or near "FROM" at line 4, column 3\n' +
        "    FROM s.t\n    ^\n",
    });

    const bad = await runFloe(["sql", "-e", "SELECT 1 AS one;\nSELECT * FROM s.nope"], { cwd });
    expect(bad).toMatchObject({
      code: 1,
      stdout: "one\n1\n(1 row)\n",
      stderr: "error: statement 2 (line 2): Table s.nope does not exist on main\n",
    });

    // A server holds the embedded catalog: floe sql sends the statements to it.
    const server = await startFloe("serve", ["--port", "0"], { cwd });
    try {
      const remote = await runFloe(
        [
          "sql",
          "--uri",
          server.url,
          "--format",
          "csv",
          "-e",
          "USE REFERENCE dev; SELECT count(*) AS n FROM s.t",
        ],
        { cwd },
      );
      expect(remote).toMatchObject({ code: 0, stdout: expect.stringMatching(/\nn\n3\n$/) });
      expect(remote.stderr).toMatch(/^Using dev at [0-9a-f]{64}\n$/);
      const gone = await runFloe(["sql", "--uri", server.url, "-e", "SELECT * FROM s.nope"], { cwd });
      expect(gone).toMatchObject({ code: 1, stderr: "error: Table s.nope does not exist on main\n" });
    } finally {
      await server.stop();
    }
  }, 600_000);
});
