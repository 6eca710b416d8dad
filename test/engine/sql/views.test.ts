import { describe, expect, it } from "vitest";
import { createView, loadView } from "../../../src/catalog/views.ts";
import { schemaFromJson } from "../../../src/iceberg/schema.ts";
import { message, sql, useSqlCatalog } from "./sql-helpers.ts";

const fx = useSqlCatalog();

describe("SQL session: Iceberg views", () => {
  it("creates, queries, replaces, lists and drops views", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE v",
      "CREATE TABLE v.t (id INT, cat STRING)",
      "INSERT INTO v.t VALUES (1, 'a'), (2, 'b'), (3, 'a')",
    );
    expect(await message(s, "CREATE VIEW v.a AS SELECT id, cat FROM v.t WHERE cat = 'a'")).toBe(
      "Created view v.a",
    );
    expect(await sql(s, "SELECT id FROM v.a ORDER BY id")).toEqual([[1], [3]]);
    const { metadata: m } = await loadView(fx().catalog, "main", ["v", "a"]);
    const version = m.versions.find((x) => x.versionId === m.currentVersionId);
    expect(version?.representations).toEqual([
      { type: "sql", sql: "SELECT id, cat FROM v.t WHERE cat = 'a'", dialect: "duckdb" },
      { type: "sql", sql: "SELECT id, cat FROM v.t WHERE cat = 'a'", dialect: "spark" },
    ]);
    expect(version?.defaultNamespace).toEqual(["v"]);
    expect(m.schemas.find((x) => x.schemaId === version?.schemaId)?.fields.map((f) => f.name)).toEqual([
      "id",
      "cat",
    ]);
    // a view of a view, and DuckDB-only SQL (stored for duckdb only)
    await sql(s, `CREATE VIEW v.n AS SELECT count(*)::INT AS n FROM v.a`);
    expect(await sql(s, "SELECT n FROM v.n")).toEqual([[2]]);
    const n = (await loadView(fx().catalog, "main", ["v", "n"])).metadata;
    expect(n.versions[0]?.representations.map((r) => r.dialect)).toEqual(["duckdb"]);
    expect(await message(s, "CREATE VIEW IF NOT EXISTS v.a AS SELECT 1 AS x")).toBe(
      "View v.a already exists",
    );
    await expect(s.execute("CREATE VIEW v.a AS SELECT 1 AS x")).rejects.toThrow(
      "View v.a already exists (use CREATE OR REPLACE VIEW)",
    );
    expect(await message(s, "CREATE OR REPLACE VIEW v.a AS SELECT id FROM v.t WHERE cat = 'b'")).toBe(
      "Replaced view v.a",
    );
    expect(await sql(s, "SELECT * FROM v.a")).toEqual([[2]]);
    expect((await loadView(fx().catalog, "main", ["v", "a"])).metadata.versions).toHaveLength(2);
    expect(await sql(s, "SHOW VIEWS IN v")).toEqual([
      ["v", "a"],
      ["v", "n"],
    ]);
    expect(await sql(s, "SHOW TABLES IN v")).toEqual([["v", "t"]]);
    expect(await message(s, "DROP VIEW v.n")).toBe("Dropped view v.n");
    expect(await message(s, "DROP VIEW IF EXISTS v.n")).toBe("View v.n does not exist");
    await expect(s.execute("SELECT * FROM v.n")).rejects.toThrow("v.n does not exist on main");
    // views live on the branch like tables
    await sql(s, "CREATE BRANCH dev_v");
    const dev = await fx().session("dev_v");
    await sql(dev, "DROP VIEW v.a");
    expect(await sql(s, "SELECT * FROM v.a")).toEqual([[2]]);
  });

  it("views in nested namespaces, over tables and views in nested namespaces", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE nv",
      "CREATE NAMESPACE nv.a",
      "CREATE NAMESPACE nv.a.b",
      "CREATE TABLE nv.a.b.t (id INT, cat STRING)",
      "INSERT INTO nv.a.b.t VALUES (1, 'a'), (2, 'b'), (3, 'a')",
    );
    expect(await message(s, "CREATE VIEW nv.a.only_a AS SELECT id FROM nv.a.b.t WHERE cat = 'a'")).toBe(
      "Created view nv.a.only_a",
    );
    const { metadata: m } = await loadView(fx().catalog, "main", ["nv", "a", "only_a"]);
    expect(m.versions[0]?.defaultNamespace).toEqual(["nv", "a"]);
    expect(m.versions[0]?.representations[0]?.sql).toBe("SELECT id FROM nv.a.b.t WHERE cat = 'a'");
    await sql(
      s,
      "CREATE VIEW nv.counted AS SELECT count(*)::INT AS n FROM nv.a.only_a JOIN nv.a.b.t USING (id)",
    );
    expect(await sql(s, "SELECT id FROM nv.a.only_a ORDER BY id")).toEqual([[1], [3]]);
    expect(await sql(s, "SELECT n FROM nv.counted")).toEqual([[2]]);
    expect(await sql(s, "SHOW VIEWS IN nv.a")).toEqual([["nv.a", "only_a"]]);
    expect(await message(s, "DROP VIEW nv.a.only_a")).toBe("Dropped view nv.a.only_a");
    await expect(s.execute("SELECT n FROM nv.counted")).rejects.toThrow(
      "Table nv.a.only_a does not exist on main",
    );
    await expect(s.execute("CREATE VIEW nv.a.bad AS SELECT * FROM nv.a.b.nope")).rejects.toThrow(
      "Table nv.a.b.nope does not exist on main",
    );
  });

  it("refuses bad views in one line, committing nothing", async () => {
    const s = await fx().session();
    await sql(s, "CREATE NAMESPACE IF NOT EXISTS w", "CREATE TABLE w.t (id INT)");
    const before = (await sql(s, "SHOW LOG")).length;
    await expect(s.execute("CREATE VIEW w.bad AS SELECT * FROM w.nope")).rejects.toThrow(
      "w.nope does not exist on main",
    );
    await expect(s.execute("CREATE VIEW w.bad AS SELECT nope FROM w.t")).rejects.toThrow(/nope/);
    await expect(s.execute("CREATE VIEW w.t AS SELECT 1 AS x")).rejects.toThrow(/already exists/);
    await expect(s.execute("CREATE VIEW nons AS SELECT 1 AS x")).rejects.toThrow(/<namespace>.nons/);
    await expect(s.execute("DROP VIEW w.t")).rejects.toThrow(/w.t/);
    await expect(s.execute("CREATE VIEW w.c (a) AS SELECT 1")).rejects.toThrow(/column list/);
    expect((await sql(s, "SHOW LOG")).length).toBe(before);
  });

  it("runs a Spark view that names tables through its default catalog (nessie.db.t)", async () => {
    const s = await fx().session();
    await sql(s, "CREATE NAMESPACE sv", "CREATE TABLE sv.t (id INT)", "INSERT INTO sv.t VALUES (1), (2)");
    await createView(
      fx().catalog,
      "main",
      ["sv", "spark_view"],
      {
        schema: schemaFromJson({
          type: "struct",
          "schema-id": 0,
          fields: [{ id: 1, name: "id", required: false, type: "int" }],
        }),
        viewVersion: {
          versionId: 1,
          schemaId: 0,
          timestampMs: Date.now(),
          summary: { "engine-name": "spark" },
          defaultCatalog: "nessie",
          defaultNamespace: ["sv"],
          representations: [
            { type: "sql", sql: "SELECT id FROM nessie.sv.t WHERE id > 1", dialect: "spark" },
          ],
        },
        properties: {},
      },
      (message) => ({ message, author: "spark" }),
    );
    expect(await sql(s, "SELECT * FROM sv.spark_view")).toEqual([[2]]);
  });
});
