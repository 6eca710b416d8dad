import { describe, expect, it } from "vitest";
import { isFloeError } from "../../../src/core/errors.ts";
import { message, sql, useSqlCatalog } from "./sql-helpers.ts";

const fx = useSqlCatalog();

describe("SQL session: tables, inserts and queries", () => {
  it("creates a namespace and a partitioned table, inserts in one commit each, and reads it back", async () => {
    const s = await fx().session();
    expect(await message(s, "CREATE NAMESPACE sales")).toBe("Created namespace sales");
    expect(
      await message(
        s,
        `CREATE TABLE sales.orders (id BIGINT NOT NULL, customer STRING, amount DECIMAL(10, 2), ts TIMESTAMP)
         PARTITIONED BY (days(ts), bucket(4, id)) TBLPROPERTIES ('write.format.default' = 'parquet')`,
      ),
    ).toBe("Created table sales.orders");
    const before = (await fx().store.getReference("main")).hash;
    expect(
      await message(
        s,
        `INSERT INTO sales.orders VALUES (1, 'ann', 10.50, TIMESTAMP '2024-01-01 10:00:00'),
                                         (2, 'bob', 3.25, TIMESTAMP '2024-01-02 11:00:00')`,
      ),
    ).toBe("Inserted 2 rows into sales.orders");
    const log = await fx().store.log((await fx().store.getReference("main")).hash, { limitHash: before });
    expect(log.items.map((e) => e.commitMeta.message)).toEqual([
      "Iceberg commit to sales.orders",
      "Create table sales.orders",
    ]);
    expect(await message(s, "INSERT INTO sales.orders (customer, id) SELECT 'cy', 3")).toBe(
      "Inserted 1 rows into sales.orders",
    );
    expect(await sql(s, "SELECT id, customer, amount, ts FROM sales.orders ORDER BY id")).toEqual([
      ["1", "ann", "10.50", "2024-01-01 10:00:00"],
      ["2", "bob", "3.25", "2024-01-02 11:00:00"],
      ["3", "cy", null, null],
    ]);
  });

  it("joins tables and creates a table from a query (CTAS) in one commit", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE TABLE sales.customers (name STRING, city STRING)",
      "INSERT INTO sales.customers VALUES ('ann', 'Oslo'), ('bob', 'Rome')",
    );
    const head = (await fx().store.getReference("main")).hash;
    expect(
      await message(
        s,
        `CREATE TABLE sales.by_city PARTITIONED BY (city) AS
         SELECT c.city, sum(o.amount) AS total FROM sales.orders o JOIN sales.customers c ON c.name = o.customer GROUP BY c.city`,
      ),
    ).toBe("Created table sales.by_city with 2 rows");
    const log = await fx().store.log((await fx().store.getReference("main")).hash, { limitHash: head });
    expect(log.items).toHaveLength(2); // the CTAS commit, and `head`
    expect(await sql(s, "SELECT city, total FROM sales.by_city ORDER BY city")).toEqual([
      ["Oslo", "10.50"],
      ["Rome", "3.25"],
    ]);
    expect(await sql(s, "DESCRIBE sales.by_city")).toEqual([
      ["city", "VARCHAR", "YES", null, null, null],
      ["total", "DECIMAL(38,2)", "YES", null, null, null],
    ]);
  });

  it("passes SET and RESET to DuckDB (= or TO), a bad one failing with DuckDB's one line", async () => {
    const s = await fx().session();
    await sql(s, "SET memory_limit = '512MB'", "SET threads TO 1");
    expect(await sql(s, "SELECT current_setting('memory_limit'), current_setting('threads')")).toEqual([
      ["488.2 MiB", "1"],
    ]);
    await sql(s, "RESET threads");
    const bad = await s.execute("SET no_such_setting = 1").catch((e: unknown) => e);
    expect(isFloeError(bad, "BAD_REQUEST") && bad.message).toBe(
      'Catalog Error: unrecognized configuration parameter "no_such_setting"',
    );
    const incomplete = await s.execute("SET threads = ").catch((e: unknown) => e);
    expect(isFloeError(incomplete, "BAD_REQUEST") && incomplete.message).toBe(
      "Parser Error: syntax error at end of input",
    );
  });

  it("a failed INSERT commits nothing and leaves no data file", async () => {
    const s = await fx().session();
    await sql(s, "CREATE TABLE sales.strict (id INT NOT NULL)");
    const head = (await fx().store.getReference("main")).hash;
    await expect(s.execute("INSERT INTO sales.strict VALUES (1), (NULL)")).rejects.toThrow(
      /null in required column "id"/,
    );
    await expect(s.execute("INSERT INTO sales.strict VALUES ('x')")).rejects.toThrow(/Could not convert/);
    await expect(s.execute("INSERT INTO sales.strict VALUES (1, 2)")).rejects.toThrow(
      /1 target columns but the source has 2/,
    );
    expect((await fx().store.getReference("main")).hash).toBe(head);
    const { readdirSync } = await import("node:fs");
    const dirs = readdirSync(fx().warehouse + "/sales").filter((d) => d.startsWith("strict_"));
    expect(dirs).toHaveLength(1);
    const files = readdirSync(`${fx().warehouse}/sales/${dirs[0]}`, { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith(".parquet") || f.endsWith(".avro"))).toEqual([]);
  });
});

describe("SQL session: tables in nested namespaces (a.b.t, a.b.c.t)", () => {
  it("creates nested namespaces and tables, writes and reads them, joined with two-part names", async () => {
    const s = await fx().session();
    await sql(s, "CREATE NAMESPACE lake", "CREATE SCHEMA lake.raw", "CREATE NAMESPACE lake.raw.eu");
    expect(await message(s, "CREATE TABLE lake.raw.events (id BIGINT, kind STRING)")).toBe(
      "Created table lake.raw.events",
    );
    expect(
      await message(s, "INSERT INTO lake.raw.events VALUES (1, 'click'), (2, 'view'), (3, 'click')"),
    ).toBe("Inserted 3 rows into lake.raw.events");
    expect(
      await message(
        s,
        "CREATE TABLE lake.raw.eu.clicks AS SELECT id, 'DE' AS country FROM lake.raw.events WHERE kind = 'click'",
      ),
    ).toBe("Created table lake.raw.eu.clicks with 2 rows");
    // a quoted level holding a dot is one level: "lake.raw" is its own namespace
    await sql(s, 'CREATE NAMESPACE "lake.raw"', 'CREATE TABLE "lake.raw".events (id BIGINT)');
    await sql(s, 'INSERT INTO "lake.raw".events VALUES (42)');
    expect(await sql(s, 'SELECT id FROM "lake.raw".events')).toEqual([["42"]]);
    expect(await sql(s, 'SELECT count(*) FROM "lake"."raw"."events"')).toEqual([["3"]]);
    expect(
      await sql(
        s,
        `SELECT e.id, e.kind, c.country, (SELECT count(*) FROM sales.orders) AS orders
         FROM lake.raw.events e LEFT JOIN lake.raw.eu.clicks AS c ON c.id = e.id, "lake.raw".events q
         WHERE e.id IN (SELECT id FROM lake.raw.events WHERE id < 3) ORDER BY e.id`,
      ),
    ).toEqual([
      ["1", "click", "DE", "3"],
      ["2", "view", null, "3"],
    ]);
    expect(await sql(s, "SHOW TABLES IN lake.raw")).toEqual([["lake.raw", "events"]]);
    expect(await sql(s, "SHOW NAMESPACES")).toEqual(
      expect.arrayContaining([["lake"], ["lake.raw"], ["lake.raw.eu"], ["lake.raw"]]),
    );
    const tables = await sql(s, "SHOW TABLES");
    expect(tables).toEqual(
      expect.arrayContaining([
        ["lake.raw", "events"],
        ["lake.raw.eu", "clicks"],
      ]),
    );
    expect(tables.filter((r) => r[0] === "lake.raw")).toHaveLength(2); // lake.raw's, and "lake.raw"'s
    expect(await sql(s, "DESCRIBE lake.raw.eu.clicks")).toEqual([
      ["id", "BIGINT", "YES", null, null, null],
      ["country", "VARCHAR", "YES", null, null, null],
    ]);
    // unknown names: the full dotted name and the reference
    await expect(s.execute("SELECT * FROM lake.raw.nope")).rejects.toThrow(
      "Table lake.raw.nope does not exist on main",
    );
    await expect(s.execute("SELECT * FROM lake.nope.eu.t JOIN lake.raw.events USING (id)")).rejects.toThrow(
      "Table lake.nope.eu.t does not exist on main",
    );
    await expect(s.execute("INSERT INTO lake.raw.nope VALUES (1)")).rejects.toThrow("lake.raw.nope");
    await expect(s.execute("CREATE TABLE lake.nope.t (x INT)")).rejects.toThrow("lake.nope");
  });

  it("reads other references, snapshots and metadata tables of a nested table", async () => {
    const s = await fx().session();
    await sql(s, "CREATE NAMESPACE tt", "CREATE NAMESPACE tt.a", "CREATE TABLE tt.a.t (id INT)");
    await sql(s, "INSERT INTO tt.a.t VALUES (1)");
    const [[first]] = (await sql(s, "SELECT snapshot_id FROM tt.a.t$snapshots")) as [[string]];
    await sql(s, "CREATE BRANCH nested_dev", "INSERT INTO tt.a.t VALUES (2)");
    expect(await sql(s, "SELECT count(*) FROM tt.a.t")).toEqual([["2"]]);
    expect(await sql(s, "SELECT count(*) FROM tt.a.`t@nested_dev`")).toEqual([["1"]]);
    expect(await sql(s, `SELECT id FROM tt.a.t FOR VERSION AS OF ${first}`)).toEqual([[1]]);
    expect(await sql(s, "SELECT count(*) FROM tt.a.t FOR TIMESTAMP AS OF '2999-01-01 00:00:00'")).toEqual([
      ["2"],
    ]);
    expect(await sql(s, "SELECT count(*) FROM tt.a.t$snapshots")).toEqual([["2"]]);
    expect(await sql(s, "SELECT count(*) FROM tt.a.`t@nested_dev$snapshots`")).toEqual([["1"]]);
    await expect(s.execute("SELECT * FROM tt.a.t FOR VERSION AS OF 'nope'")).rejects.toThrow(
      "Table tt.a.t has no snapshot, branch or tag 'nope'",
    );
    await expect(s.execute("SELECT * FROM tt.a.`nope@nested_dev`")).rejects.toThrow(
      "Table tt.a.nope does not exist on nested_dev",
    );
  });

  it("updates, deletes, merges, alters and drops nested tables", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE m",
      "CREATE NAMESPACE m.n",
      "CREATE NAMESPACE m.n.o",
      "CREATE TABLE m.n.t (id INT, v STRING)",
      "INSERT INTO m.n.t VALUES (1, 'a'), (2, 'b'), (3, 'c')",
      "CREATE TABLE m.n.o.src AS SELECT * FROM (VALUES (2, 'B'), (4, 'D')) AS x(id, v)",
    );
    expect(
      await message(s, "DELETE FROM m.n.t WHERE id IN (SELECT id + 2 FROM m.n.o.src WHERE id = 1 + 0)"),
    ).toBe("Deleted 0 rows from m.n.t");
    expect(await message(s, "DELETE FROM m.n.t WHERE id = (SELECT max(id) - 1 FROM m.n.o.src)")).toBe(
      "Deleted 1 rows from m.n.t",
    );
    expect(await message(s, "UPDATE m.n.t SET v = (SELECT v FROM m.n.o.src WHERE id = 2) WHERE id = 1")).toBe(
      "Updated 1 rows in m.n.t",
    );
    expect(
      await message(
        s,
        "MERGE INTO m.n.t AS t USING m.n.o.src AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT *",
      ),
    ).toBe("Merged into m.n.t: 1 rows updated, 0 deleted, 1 inserted");
    // a column is qualified by its table's name or alias, not by the namespace too
    await expect(
      s.execute(
        "MERGE INTO m.n.t USING (SELECT id FROM m.n.o.src WHERE id = 4) s ON m.n.t.id = s.id WHEN MATCHED THEN DELETE",
      ),
    ).rejects.toThrow('Referenced table "m.n.t" not found');
    expect(
      await message(
        s,
        "MERGE INTO m.n.t t USING (SELECT id FROM m.n.o.src WHERE id = 4) s ON t.id = s.id WHEN MATCHED THEN DELETE",
      ),
    ).toBe("Merged into m.n.t: 0 rows updated, 1 deleted, 0 inserted");
    expect(await sql(s, "SELECT id, v FROM m.n.t ORDER BY id")).toEqual([
      [1, "B"],
      [2, "B"],
    ]);
    expect(await message(s, "ALTER TABLE m.n.t ADD COLUMN w INT")).toBe("Altered table m.n.t");
    expect(await message(s, "ALTER TABLE m.n.t RENAME TO m.n.o.t2")).toBe("Renamed table m.n.t to m.n.o.t2");
    expect(await sql(s, "SELECT id, w FROM m.n.o.t2 ORDER BY id")).toEqual([
      [1, null],
      [2, null],
    ]);
    expect(await message(s, "DROP TABLE m.n.o.t2")).toBe("Dropped table m.n.o.t2");
    await expect(s.execute("SELECT * FROM m.n.o.t2")).rejects.toThrow(
      "Table m.n.o.t2 does not exist on main",
    );
  });
});
