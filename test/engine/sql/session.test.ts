import { describe, expect, it } from "vitest";
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
