import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadTable } from "../../../src/catalog/tables.ts";
import { message, sql, useSqlCatalog } from "./sql-helpers.ts";

const fx = useSqlCatalog();

describe("SQL session: DDL and bad input", () => {
  it("evolves a table's schema; old files read by field id", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE SCHEMA app",
      "CREATE TABLE app.users (id INT NOT NULL, name STRING, age INT) PARTITIONED BY (bucket(2, id))",
      "INSERT INTO app.users VALUES (1, 'ann', 30)",
      "ALTER TABLE app.users ADD COLUMN email STRING COMMENT 'contact'",
      "ALTER TABLE app.users RENAME COLUMN name TO full_name",
      "ALTER TABLE app.users DROP COLUMN age",
      "ALTER TABLE app.users ALTER COLUMN id TYPE BIGINT",
      "ALTER TABLE app.users SET TBLPROPERTIES ('owner' = 'me', 'x' = '1')",
      "ALTER TABLE app.users UNSET TBLPROPERTIES ('x')",
      "INSERT INTO app.users (id, email) VALUES (2, 'b@x')",
    );
    expect(await sql(s, "SELECT * FROM app.users ORDER BY id")).toEqual([
      ["1", "ann", null],
      ["2", null, "b@x"],
    ]);
    const { metadata } = await loadTable(fx().catalog, "main", ["app", "users"]);
    expect(metadata.properties).toMatchObject({ owner: "me" });
    expect(metadata.properties.x).toBeUndefined();
    await expect(s.execute("ALTER TABLE app.users DROP COLUMN id")).rejects.toThrow(
      "Cannot drop column id: the table is partitioned by it",
    );
    await expect(s.execute("ALTER TABLE app.users ALTER COLUMN full_name TYPE INT")).rejects.toThrow(
      /not an allowed type promotion/,
    );
    expect(await sql(s, "SHOW TABLES IN app")).toEqual([["app", "users"]]);
    expect(await message(s, "ALTER TABLE app.users RENAME TO app.people")).toBe(
      "Renamed table app.users to app.people",
    );
    expect(await sql(s, "SHOW TABLES")).toEqual([["app", "people"]]);
    expect(await sql(s, "SHOW NAMESPACES")).toEqual([["app"]]);
  });

  it("drops tables, purging files only when no other reference holds the table", async () => {
    const s = await fx().session();
    await sql(s, "CREATE NAMESPACE tmp", "CREATE TABLE tmp.a (x INT)", "INSERT INTO tmp.a VALUES (1)");
    const { metadata } = await loadTable(fx().catalog, "main", ["tmp", "a"]);
    await sql(s, "CREATE BRANCH keep");
    await expect(s.execute("DROP TABLE tmp.a PURGE")).rejects.toThrow(/branch keep still holds it/);
    await sql(s, "DROP BRANCH keep");
    expect(await message(s, "DROP TABLE tmp.a PURGE")).toMatch(
      /^Dropped table tmp.a and purged its location \(\d+ files\)$/,
    );
    const left = readdirSync(fileURLToPath(metadata.location), { recursive: true, withFileTypes: true });
    expect(left.filter((f) => f.isFile())).toEqual([]);
    expect(await message(s, "DROP TABLE IF EXISTS tmp.a")).toBe("Table tmp.a does not exist");
    await expect(s.execute("SELECT * FROM tmp.a")).rejects.toThrow("Table tmp.a does not exist on main");
    await sql(s, "CREATE TABLE tmp.b (x INT)");
    expect(await message(s, "DROP TABLE tmp.b")).toBe("Dropped table tmp.b");
    expect(await message(s, "DROP NAMESPACE tmp")).toBe("Dropped namespace tmp");
  });

  it("refuses bad statements with one line naming the problem, committing nothing", async () => {
    const s = await fx().session();
    await sql(s, "CREATE NAMESPACE bad", "CREATE TABLE bad.t (x INT)");
    const head = (await fx().store.getReference("main")).hash;
    const cases: [string, RegExp][] = [
      ["SELEC 1", /^Syntax error: syntax error at or near "SELEC" at position 0$/],
      ["SELECT nope FROM bad.t", /^Binder Error: Referenced column "nope" not found/],
      ["INSERT INTO bad.nope VALUES (1)", /^Table bad\.nope does not exist on main$/],
      ["INSERT INTO bad.t (y) VALUES (1)", /^Table bad.t has no column y$/],
      ["CREATE TABLE bad.t (x INT)", /Table already exists: bad.t/],
      ["CREATE TABLE nons.t (x INT)", /Namespace does not exist: nons/],
      ["CREATE TABLE t (x INT)", /Name the table with its namespace/],
      ["CREATE TABLE bad.u (x INT) PARTITIONED BY (y)", /Cannot partition by y: no such column/],
      [
        "CREATE TABLE bad.u AS SELECT INTERVAL 1 DAY AS i",
        /^Column i of the query has type INTERVAL, which no Iceberg type holds$/,
      ],
      ["UPDATE bad.t SET y = 1", /^Table bad.t has no column y$/],
      [
        "MERGE INTO bad.t USING bad.t s ON true WHEN MATCHED THEN UPDATE SET y = 1",
        /^Table bad.t has no column y$/,
      ],
      ["COPY bad.t TO '/tmp/x.csv'", /Unsupported statement: COPY/],
      ["CREATE BRANCH main", /main/],
      ["DROP TAG main", /main is a branch, not a tag/],
    ];
    for (const [statement, error] of cases) {
      const e = await s.execute(statement).then(
        () => undefined,
        (x: unknown) => x as Error,
      );
      expect(e?.message ?? `no error: ${statement}`, statement).toMatch(error);
      expect(e?.message.includes("\n"), statement).toBe(false);
    }
    expect((await fx().store.getReference("main")).hash).toBe(head);
  });
});
