import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { localExecutor } from "../../src/cli/sql-executor.ts";
import { HISTORY_SIZE, runShell } from "../../src/cli/sql-shell.ts";
import { useSqlCatalog } from "../engine/sql/sql-helpers.ts";

const fixture = useSqlCatalog();

beforeAll(async () => {
  const s = await fixture().session();
  for (const sql of [
    "CREATE NAMESPACE sales",
    "CREATE TABLE sales.orders (id INT, customer STRING)",
    "INSERT INTO sales.orders VALUES (1, 'ann'), (2, 'bob')",
    "CREATE BRANCH dev",
  ])
    await s.execute(sql);
});

/** The shell over streams with `terminal: true`, as readline drives a terminal; keys go in as bytes. */
async function openShell(historyFile?: string) {
  const input = new PassThrough();
  const output = new PassThrough();
  let seen = "";
  const waiters: Array<() => void> = [];
  output.on("data", (d: Buffer) => {
    seen += d.toString("utf8");
    for (const w of waiters.splice(0)) w();
  });
  const statements: string[] = [];
  const started: Array<() => void> = [];
  const session = await fixture().session();
  const done = runShell({
    input,
    output,
    terminal: true,
    executor: localExecutor(session),
    format: "table",
    ...(historyFile === undefined ? {} : { historyFile }),
    onStatement: (sql) => {
      statements.push(sql);
      for (const s of started.splice(0)) s();
    },
  });
  // What the terminal shows, without readline's cursor movements.
  const screen = () => seen.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
  const shell = {
    statements,
    screen,
    type: (keys: string) => input.write(keys),
    /** Waits until the screen (after `from` characters) matches. */
    waitFor: async (pattern: RegExp, from = 0): Promise<string> => {
      for (;;) {
        const text = screen().slice(from);
        if (pattern.test(text)) return text;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    statementStarted: () => new Promise<void>((resolve) => started.push(resolve)),
    mark: () => screen().length,
    done,
  };
  await shell.waitFor(/floe \(main\)> $/);
  return shell;
}

describe("floe sql's interactive shell", () => {
  it("reads a statement over several lines until ';', shows the reference in the prompt, keeps history", async () => {
    const dir = mkdtempSync(join(tmpdir(), "floe-shell-"));
    const historyFile = join(dir, ".floe_history");
    writeFileSync(historyFile, "SELECT 'old' AS before;\n");
    const sh = await openShell(historyFile);
    let at = sh.mark();
    sh.type("SELECT id,\r");
    await sh.waitFor(/ {9}-> $/, at); // the continuation prompt, aligned under the first
    sh.type("  customer FROM sales.orders\r");
    sh.type("ORDER BY id;\r");
    const table = await sh.waitFor(/\(2 rows\)\n/, at);
    expect(table).toMatch(/id\s+customer\n1\s+ann\n2\s+bob\n\(2 rows\)\n/);
    expect(sh.statements).toEqual(["SELECT id,\n  customer FROM sales.orders\nORDER BY id"]);

    at = sh.mark();
    sh.type("USE REFERENCE dev;\r");
    await sh.waitFor(/floe \(dev\)> $/, at);
    // Up arrow twice: the multi-line statement comes back as one line.
    at = sh.mark();
    sh.type("\x1b[A\x1b[A");
    await sh.waitFor(/SELECT id, customer FROM sales\.orders ORDER BY id;$/, at);
    sh.type("\x15"); // Ctrl-U: clear the line
    sh.type("\\q\r");
    await sh.done;
    const saved = readFileSync(historyFile, "utf8").split("\n").filter(Boolean);
    expect(saved).toEqual([
      "SELECT 'old' AS before;",
      "SELECT id, customer FROM sales.orders ORDER BY id;",
      "USE REFERENCE dev;",
      "\\q",
    ]);

    // The next shell starts with that history, bounded to HISTORY_SIZE entries.
    writeFileSync(
      historyFile,
      `${Array.from({ length: HISTORY_SIZE + 50 }, (_, i) => `SELECT ${i};`).join("\n")}\n`,
    );
    const again = await openShell(historyFile);
    at = again.mark();
    again.type("\x1b[A");
    await again.waitFor(/SELECT 1049;$/, at);
    again.type("\r");
    await again.waitFor(/\(1 row\)/, at);
    again.type("\x04"); // Ctrl-D on an empty line leaves
    await again.done;
    const kept = readFileSync(historyFile, "utf8").split("\n").filter(Boolean);
    expect(kept).toHaveLength(HISTORY_SIZE);
    expect(kept.at(-1)).toBe("SELECT 1049;");
  });

  it("completes keywords, namespaces and ns.table names with Tab", async () => {
    const sh = await openShell();
    sh.type("sel\t");
    await sh.waitFor(/> select$/);
    sh.type(" * FROM sal\t");
    await sh.waitFor(/select \* FROM sales\.$/);
    sh.type("or\t");
    await sh.waitFor(/select \* FROM sales\.orders$/);
    const at = sh.mark();
    sh.type(";\r");
    await sh.waitFor(/\(2 rows\)/, at);
    expect(sh.statements).toEqual(["select * FROM sales.orders"]);
    sh.type("\\d sales.orders\r");
    await sh.waitFor(/customer\s+VARCHAR/, at);
    sh.type("\\q\r");
    await sh.done;
  });

  it("completes nested namespaces level by level, and \\d a.b lists a nested namespace's tables", async () => {
    const s = await fixture().session();
    for (const sql of [
      "CREATE NAMESPACE lake",
      "CREATE NAMESPACE lake.raw",
      "CREATE TABLE lake.raw.events (id INT)",
    ])
      await s.execute(sql);
    const sh = await openShell();
    sh.type("SELECT * FROM la\t");
    await sh.waitFor(/FROM lake\.$/);
    sh.type("r\t");
    await sh.waitFor(/FROM lake\.raw\.$/);
    sh.type("e\t");
    await sh.waitFor(/FROM lake\.raw\.events$/);
    const at = sh.mark();
    sh.type(";\r");
    await sh.waitFor(/\(0 rows\)/, at);
    expect(sh.statements).toEqual(["SELECT * FROM lake.raw.events"]);
    sh.type("\\d lake.raw\r");
    await sh.waitFor(/lake\.raw\s+events\n/, at);
    sh.type("\\d lake.raw.events\r");
    await sh.waitFor(/id\s+INTEGER/, at);
    sh.type("\\q\r");
    await sh.done;
  });

  it("Ctrl-C cancels a running statement and the shell stays usable; on a half-typed statement it clears it", async () => {
    const sh = await openShell();
    let at = sh.mark();
    const started = sh.statementStarted();
    sh.type("SELECT sum(hash(range)) AS h FROM range(1000000000000000);\r");
    await started;
    sh.type("\x03");
    await sh.waitFor(/Cancelled\n/, at);

    at = sh.mark();
    sh.type("SELECT 1,\r");
    await sh.waitFor(/-> $/, at);
    sh.type("\x03");
    await sh.waitFor(/\^C\n.*floe \(main\)> $/, at);
    at = sh.mark();
    sh.type("SELECT 42 AS answer;\r");
    expect(await sh.waitFor(/\(1 row\)/, at)).toMatch(/answer\n42\n/);
    expect(sh.statements.at(-1)).toBe("SELECT 42 AS answer");

    // An error shows its line and column and a caret under it; the shell goes on.
    at = sh.mark();
    sh.type("SELECT 1,\r  2 +\r  FROM sales.orders;\r");
    expect(await sh.waitFor(/\^\n/, at)).toMatch(
      /error: Syntax error: syntax error at or near "FROM" at line 3, column 3\n {4}FROM sales\.orders;\n {4}\^\n/,
    );
    at = sh.mark();
    sh.type("SELECT * FROM sales.nope;\r");
    await sh.waitFor(/error: Table sales\.nope does not exist on main\n/, at);
    sh.type("\x04");
    await sh.done;
  });
});
