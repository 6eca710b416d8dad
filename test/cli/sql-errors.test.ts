import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { errorLines, showError } from "../../src/cli/sql-errors.ts";
import { errorOffset } from "../../src/engine/sql/error-position.ts";

describe("error positions", () => {
  it("finds DuckDB's error position in the statement, also on a later line and on a shortened long line", async () => {
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const long = `SELECT '${"a".repeat(90)}', '${"b".repeat(90)}', nope, '${"c".repeat(90)}'`;
    for (const [sql, at] of [
      ["SELECT nope FROM range(3)", "nope FROM"],
      ["SELECT 1\n, nope FROM range(3)", "nope FROM"],
      [long, "nope, 'c"],
      ["SELECT 1::nosuchtype", "nosuchtype"],
    ] as const) {
      const message = await duck.run(sql).then(
        () => "",
        (e: Error) => e.message,
      );
      const offset = errorOffset(message, sql);
      expect(sql.slice(offset, (offset ?? 0) + at.length)).toBe(at);
    }
    duck.closeSync();
  });

  it("shows an offset as a line and column of the input, with a caret under it", () => {
    const script = "SELECT 1;\nSELECT 1,\n\t2 +\n\tFROM t";
    const start = script.indexOf("SELECT 1,");
    const shown = showError('Syntax error: at or near "FROM" at position 16', script, start);
    expect(errorLines(shown)).toBe(
      'error: Syntax error: at or near "FROM" at line 4, column 2\n  \tFROM t\n  \t^\n',
    );
    expect(showError("Table s.nope does not exist on main", script)).toEqual({
      message: "Table s.nope does not exist on main",
    });
  });
});
