import { describe, expect, it } from "vitest";
import { splitStatements } from "../../../src/engine/sql/lexer.ts";
import { parseStatement } from "../../../src/engine/sql/parse.ts";
import { decodeNamespace } from "../../../src/engine/sql/nested-names.ts";
import { decodeTableName, rewriteTableRefs } from "../../../src/engine/sql/rewrite.ts";

describe("floe's SQL parser", () => {
  it("parses Nessie's branch statements", () => {
    expect(parseStatement("CREATE BRANCH IF NOT EXISTS dev FROM main")).toEqual({
      kind: "create-reference",
      type: "BRANCH",
      name: "dev",
      ifNotExists: true,
      from: "main",
    });
    expect(parseStatement("create tag `v1.0` IN nessie")).toEqual({
      kind: "create-reference",
      type: "TAG",
      name: "v1.0",
      ifNotExists: false,
    });
    expect(parseStatement("CREATE BRANCH feature/x-1 FROM main")).toMatchObject({ name: "feature/x-1" });
    expect(parseStatement("USE REFERENCE dev AT abc123")).toEqual({
      kind: "use-reference",
      name: "dev",
      hash: "abc123",
    });
    expect(parseStatement("MERGE BRANCH dev INTO main IN nessie")).toEqual({
      kind: "merge-branch",
      from: "dev",
      into: "main",
    });
    expect(parseStatement("MERGE BRANCH")).toEqual({ kind: "merge-branch" });
    expect(parseStatement("SHOW REFERENCES IN nessie")).toEqual({ kind: "show-references" });
    expect(parseStatement("LIST REFERENCES")).toEqual({ kind: "show-references" });
    expect(parseStatement("SHOW LOG dev")).toEqual({ kind: "show-log", ref: "dev" });
    expect(parseStatement("SHOW LOG")).toEqual({ kind: "show-log" });
    expect(parseStatement("ASSIGN TAG v1 TO main AT 1234abcd")).toEqual({
      kind: "assign-reference",
      type: "TAG",
      name: "v1",
      to: "main@1234abcd",
    });
    expect(parseStatement("DROP BRANCH IF EXISTS dev")).toEqual({
      kind: "drop-reference",
      type: "BRANCH",
      name: "dev",
      ifExists: true,
    });
  });

  it("parses DDL with types, transforms and properties", () => {
    expect(
      parseStatement(`CREATE TABLE IF NOT EXISTS db.t (
        id bigint NOT NULL COMMENT 'key', tags array<string>, m map<string, int>,
        s struct<a: int, b: decimal(9,2)>, ts timestamp with time zone)
        USING iceberg PARTITIONED BY (bucket(16, id), days(ts), truncate(s, 4), id)
        TBLPROPERTIES ('format-version' = '2', write.delete.mode = 'merge-on-read')`),
    ).toMatchObject({
      kind: "create-table",
      name: ["db", "t"],
      ifNotExists: true,
      columns: [
        { name: "id", type: { type: "long" }, required: true, doc: "key" },
        { name: "tags", type: { type: "list", element: { type: "string" } }, required: false },
        { name: "m", type: { type: "map", key: { type: "string" }, value: { type: "int" } } },
        { name: "s", type: { type: "struct" } },
        { name: "ts", type: { type: "timestamptz" } },
      ],
      partitionBy: [
        { column: "id", transform: "bucket[16]" },
        { column: "ts", transform: "day" },
        { column: "s", transform: "truncate[4]" },
        { column: "id", transform: "identity" },
      ],
      properties: { "format-version": "2", "write.delete.mode": "merge-on-read" },
    });
    expect(parseStatement("CREATE TABLE db.t WITH (format_version = 2) AS SELECT 1 AS x")).toMatchObject({
      kind: "create-table",
      asQuery: "SELECT 1 AS x",
      properties: { format_version: "2" },
    });
    expect(parseStatement("DROP TABLE IF EXISTS db.t PURGE")).toEqual({
      kind: "drop-table",
      name: ["db", "t"],
      ifExists: true,
      purge: true,
    });
    expect(parseStatement("ALTER TABLE db.t ADD COLUMNS (a int, b string)")).toMatchObject({
      change: { action: "add-columns", columns: [{ name: "a" }, { name: "b" }] },
    });
    expect(parseStatement("ALTER TABLE db.t RENAME COLUMN a TO b")).toMatchObject({
      change: { action: "rename-column", from: "a", to: "b" },
    });
    expect(parseStatement("ALTER TABLE db.t ALTER COLUMN a TYPE bigint")).toMatchObject({
      change: { action: "alter-column-type", name: "a", type: { type: "long" } },
    });
    expect(parseStatement("ALTER TABLE db.t UNSET TBLPROPERTIES ('a', b.c)")).toMatchObject({
      change: { action: "unset-properties", keys: ["a", "b.c"] },
    });
    expect(parseStatement("CREATE SCHEMA IF NOT EXISTS a.b")).toEqual({
      kind: "create-namespace",
      namespace: ["a", "b"],
      ifNotExists: true,
      properties: {},
    });
  });

  it("parses INSERT up to its source and leaves queries to DuckDB", () => {
    expect(parseStatement("INSERT INTO db.t (a, b) VALUES (1, 'x')")).toEqual({
      kind: "insert",
      table: ["db", "t"],
      columns: ["a", "b"],
      source: "VALUES (1, 'x')",
    });
    expect(parseStatement("INSERT INTO db.t (SELECT 1)")).toEqual({
      kind: "insert",
      table: ["db", "t"],
      source: "(SELECT 1)",
    });
    expect(parseStatement("  SELECT * FROM db.t  ")).toEqual({ kind: "query", sql: "SELECT * FROM db.t" });
  });

  it("names what is wrong and where", () => {
    expect(() => parseStatement("CREATE BRANCH")).toThrow(
      "Syntax error: expected a reference name at the end",
    );
    expect(() => parseStatement("CREATE TABLE db.t (id nosuchtype)")).toThrow(
      "Syntax error: unknown column type 'nosuchtype' at position 22 near 'nosuchtype'",
    );
    expect(() => parseStatement("CREATE TABLE db.t (id int) PARTITIONED BY (weeks(id))")).toThrow(
      "unknown partition transform 'weeks'",
    );
    expect(() => parseStatement("DROP BRANCH dev extra")).toThrow(
      "expected the end of the statement at position 16",
    );
    expect(() => parseStatement("SELECT 'oops")).toThrow("Unterminated string at position 7");
    expect(() => parseStatement("CREATE VIEW v.x (a) AS SELECT 1")).toThrow("a column list for a view");
    expect(() => parseStatement("ALTER TABLE t ADD PARTITION FIELD weeks(d)")).toThrow(
      "unknown partition transform 'weeks'",
    );
    expect(() => parseStatement("CALL system.x(table => 'a', 1)")).toThrow("expected a named argument");
  });

  it("splits scripts at top-level semicolons", () => {
    expect(splitStatements("SELECT ';'; -- a; comment\nSELECT (1;2);;  ").map((s) => s.sql)).toEqual([
      "SELECT ';'",
      "-- a; comment\nSELECT (1;2)",
    ]);
  });

  it("rewrites time travel and Spark quoting into names floe resolves", () => {
    expect(rewriteTableRefs("SELECT * FROM db.t FOR VERSION AS OF 123 WHERE x")).toBe(
      'SELECT * FROM db."t#version=123" AS "t" WHERE x',
    );
    expect(rewriteTableRefs("SELECT * FROM db.`t@dev` FOR TIMESTAMP AS OF '2024-01-01' x")).toBe(
      `SELECT * FROM db."t@dev#timestamp=2024-01-01" x`,
    );
    expect(rewriteTableRefs("SELECT `a b` FROM db.t FOR SYSTEM_VERSION AS OF 'v1'")).toBe(
      'SELECT "a b" FROM db."t#version=v1" AS "t"',
    );
    expect(decodeTableName("t@dev#timestamp=2024-01-01 10:00:00")).toEqual({
      name: "t",
      ref: "dev",
      timestamp: "2024-01-01 10:00:00",
    });
    expect(decodeTableName("t")).toEqual({ name: "t" });
  });

  it("rewrites table names of three or more parts to one DuckDB schema per nested namespace", () => {
    const ns = (...levels: string[]) => `"${levels.join("\u001f")}"`;
    expect(rewriteTableRefs("SELECT * FROM a.b.t")).toBe(`SELECT * FROM ${ns("a", "b")}.t`);
    expect(rewriteTableRefs('SELECT x.y.z FROM a.b.c.t AS q, a.b.u JOIN "d".e.`f@dev` ON q.k = f.k')).toBe(
      `SELECT x.y.z FROM ${ns("a", "b", "c")}.t AS q, ${ns("a", "b")}.u JOIN ${ns("d", "e")}."f@dev" ON q.k = f.k`,
    );
    expect(rewriteTableRefs("SELECT * FROM a.b.t FOR VERSION AS OF 7, a.b.t$snapshots s")).toBe(
      `SELECT * FROM ${ns("a", "b")}."t#version=7" AS "t", ${ns("a", "b")}.t$snapshots s`,
    );
    // subqueries, CTEs and derived tables; struct fields, function arguments and DuckDB's own names stay
    expect(
      rewriteTableRefs(
        "WITH w AS (SELECT s.f.g FROM a.b.t) SELECT extract(year FROM r.s.ts), (SELECT 1 FROM x.y.z), " +
          "f(1, p.q.r) FROM (SELECT * FROM a.b.u) d, w WHERE k IN (SELECT k FROM system.main.v) ORDER BY m.n.o",
      ),
    ).toBe(
      `WITH w AS (SELECT s.f.g FROM ${ns("a", "b")}.t) SELECT extract(year FROM r.s.ts), (SELECT 1 FROM ${ns("x", "y")}.z), ` +
        `f(1, p.q.r) FROM (SELECT * FROM ${ns("a", "b")}.u) d, w WHERE k IN (SELECT k FROM system.main.v) ORDER BY m.n.o`,
    );
    // two parts, and a quoted level holding a dot, stay as they are
    expect(rewriteTableRefs('SELECT * FROM ns.t, "a.b".t, "a.b"."c"')).toBe(
      'SELECT * FROM ns.t, "a.b".t, "a.b"."c"',
    );
    expect(rewriteTableRefs("DESCRIBE a.b.t")).toBe(`DESCRIBE ${ns("a", "b")}.t`);
    expect(rewriteTableRefs("FROM a.b.t SELECT 1")).toBe(`FROM ${ns("a", "b")}.t SELECT 1`);
    expect(decodeNamespace("a\u001fb")).toEqual(["a", "b"]);
    expect(decodeNamespace("a.b")).toEqual(["a.b"]);
  });
});
