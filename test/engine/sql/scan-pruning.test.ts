import { beforeAll, describe, expect, it } from "vitest";
import type { SqlSession } from "../../../src/engine/sql/session.ts";
import { sql, useSqlCatalog } from "./sql-helpers.ts";
import { DuckDBInstance } from "@duckdb/node-api";
import { targetFilter } from "../../../src/engine/sql/scan-filters.ts";
import { whereNode } from "../../../src/engine/sql/where.ts";
import { expressionToString } from "../../../src/iceberg/expressions/expression.ts";
import { schemaFromJson } from "../../../src/iceberg/schema.ts";

/**
 * WHERE and JOIN … ON conditions reach floe's scan planner: files that cannot hold a matching row
 * are not read (visible in EXPLAIN's floe_scan row), and the rows are the same as without pruning.
 */
describe("floe sql: scan pruning from query conditions", () => {
  const fx = useSqlCatalog();
  let s: SqlSession;

  beforeAll(async () => {
    s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE db",
      "CREATE TABLE db.events (id BIGINT, region VARCHAR, day DATE, amount DECIMAL(10,2), score DOUBLE) PARTITIONED BY (region)",
      // four commits, one file each, with disjoint id ranges and regions
      "INSERT INTO db.events SELECT i, 'eu', DATE '2024-01-01' + CAST(i AS INTEGER), i * 1.5, i / 3 FROM range(1, 11) t(i)",
      "INSERT INTO db.events SELECT i, 'us', DATE '2024-02-01' + CAST(i % 10 AS INTEGER), i * 1.5, i / 3 FROM range(11, 21) t(i)",
      "INSERT INTO db.events SELECT i, 'eu', DATE '2024-03-01' + CAST(i % 10 AS INTEGER), i * 1.5, i / 3 FROM range(21, 31) t(i)",
      "INSERT INTO db.events SELECT i, 'ap', DATE '2024-04-01' + CAST(i % 10 AS INTEGER), i * 1.5, NULL FROM range(31, 41) t(i)",
      "CREATE TABLE db.names (id BIGINT, name VARCHAR)",
      "INSERT INTO db.names SELECT i, 'n' || i FROM range(1, 21) t(i)",
      "INSERT INTO db.names SELECT i, 'n' || i FROM range(21, 41) t(i)",
    );
  });

  /** floe's part of EXPLAIN for a query. */
  const explain = async (query: string): Promise<string> => {
    const rows = await sql(s, `EXPLAIN ${query}`);
    expect(rows[0]?.[0]).toBe("floe_scan");
    return String(rows[0]?.[1]);
  };
  /** The data-files line of one table in EXPLAIN. */
  const files = (text: string, table: string): string => {
    const block = text.split(/\n(?=\S)/).find((b) => b.startsWith(`${table}:`)) ?? "";
    return /data files: .*/.exec(block)?.[0] ?? "";
  };
  /** The rows of a query, and the same query with the table read whole (no pruning possible). */
  const same = async (query: string, unpruned: string) => {
    const a = await sql(s, query);
    const b = await sql(s, unpruned);
    expect(a).toEqual(b);
    return a;
  };

  it("prunes by partition and by column metrics, and EXPLAIN says so", async () => {
    const byRegion = await explain("SELECT count(*) FROM db.events WHERE region = 'eu'");
    expect(byRegion).toContain('filter: region = "eu"');
    expect(files(byRegion, "db.events")).toBe("data files: 2 of 4 (2 skipped)");
    const byId = await explain("SELECT * FROM db.events WHERE id BETWEEN 12 AND 14");
    expect(files(byId, "db.events")).toBe("data files: 1 of 4 (3 skipped)");
    const byDay = await explain(
      "SELECT * FROM db.events e WHERE e.day >= DATE '2024-04-01' AND score IS NULL",
    );
    expect(files(byDay, "db.events")).toBe("data files: 1 of 4 (3 skipped)");
    const none = await explain("SELECT * FROM db.events");
    expect(none).toContain("filter: none (all files)");
    expect(files(none, "db.events")).toBe("data files: 4 of 4");
    // DuckDB's own plan follows
    expect((await sql(s, "EXPLAIN SELECT * FROM db.events WHERE id = 1")).length).toBeGreaterThan(1);

    await same(
      "SELECT id FROM db.events WHERE region = 'eu' AND id > 5 AND amount < 40 ORDER BY id",
      "SELECT id FROM (SELECT * FROM db.events) e WHERE region = 'eu' AND id > 5 AND amount < 40 ORDER BY id",
    );
    await same(
      "SELECT id FROM db.events WHERE id IN (3, 25) OR region = 'ap' ORDER BY id",
      "SELECT id FROM (SELECT * FROM db.events) e WHERE id IN (3, 25) OR region = 'ap' ORDER BY id",
    );
  });

  it("leaves conditions it cannot convert exactly to DuckDB", async () => {
    // doubles (DuckDB's casts and Iceberg's bounds may disagree), functions, two columns, NULL
    for (const where of [
      "score < 1",
      "abs(id) = 3",
      "id = CAST(amount AS BIGINT)",
      "id = NULL",
      "region = 5",
    ]) {
      const text = await explain(`SELECT * FROM db.events WHERE ${where}`);
      expect(files(text, "db.events"), where).toBe("data files: 4 of 4");
    }
    const rows = await sql(s, "SELECT count(*) FROM db.events WHERE score < 1");
    expect(rows).toEqual([["2"]]);
  });

  it("uses a join's conditions only where leaving rows out cannot change the result", async () => {
    // inner join: each side by its own conditions, unqualified names resolved to their table
    const inner = await explain(
      "SELECT * FROM db.events e JOIN db.names n ON e.id = n.id AND n.id > 25 WHERE region = 'ap'",
    );
    expect(files(inner, "db.events")).toBe("data files: 1 of 4 (3 skipped)");
    expect(files(inner, "db.names")).toBe("data files: 1 of 2 (1 skipped)");
    // left join: WHERE on the null side is not used (b IS NULL rows would change), ON for it is
    const left = await explain(
      "SELECT * FROM db.names n LEFT JOIN db.events e ON e.id = n.id AND e.region = 'us' WHERE e.id IS NULL",
    );
    expect(files(left, "db.events")).toBe("data files: 1 of 4 (3 skipped)");
    expect(files(left, "db.names")).toBe("data files: 2 of 2");
    const rows = await same(
      "SELECT n.id FROM db.names n LEFT JOIN db.events e ON e.id = n.id AND e.region = 'us' WHERE e.id IS NULL ORDER BY n.id",
      "SELECT n.id FROM db.names n LEFT JOIN (SELECT * FROM db.events) e ON e.id = n.id AND e.region = 'us' WHERE e.id IS NULL ORDER BY n.id",
    );
    expect(rows.length).toBe(30);
    const nullSide = await explain(
      "SELECT * FROM db.names n LEFT JOIN db.events e ON e.id = n.id WHERE e.region = 'us' OR e.region IS NULL",
    );
    expect(files(nullSide, "db.events")).toBe("data files: 4 of 4");
    // an unqualified column belongs to the one table that has it
    const unqualified = await explain(
      "SELECT * FROM db.events, db.names WHERE name = 'n5' AND day < '2024-01-03'",
    );
    expect(files(unqualified, "db.names")).toBe("data files: 1 of 2 (1 skipped)");
    expect(files(unqualified, "db.events")).toBe("data files: 1 of 4 (3 skipped)");
  });

  it("ORs the places a table is read, and handles subqueries and CTEs", async () => {
    const self = await explain(
      "SELECT * FROM db.events a JOIN db.events b ON a.id = b.id + 30 WHERE a.region = 'ap' AND b.region = 'us'",
    );
    expect(self).toContain('filter: (region = "ap" OR region = "us")');
    expect(files(self, "db.events")).toBe("data files: 2 of 4 (2 skipped)");
    const once = await explain(
      "SELECT * FROM db.events WHERE region = 'ap' UNION ALL SELECT * FROM db.events WHERE score > 1",
    );
    expect(files(once, "db.events")).toBe("data files: 4 of 4");
    const cte = await explain(
      "WITH x AS (SELECT * FROM db.events WHERE region = 'us') SELECT * FROM x WHERE id > 0",
    );
    expect(files(cte, "db.events")).toBe("data files: 1 of 4 (3 skipped)");
    // a table read through an Iceberg view and directly: the files either place needs
    await sql(s, "CREATE VIEW db.us AS SELECT * FROM db.events WHERE region = 'us'");
    const viaView = await explain(
      "SELECT id FROM db.us UNION ALL SELECT id FROM db.events WHERE region = 'ap'",
    );
    expect(files(viaView, "db.events")).toBe("data files: 2 of 4 (2 skipped)");
    expect(
      await sql(
        s,
        "SELECT count(*) FROM (SELECT id FROM db.us UNION ALL SELECT id FROM db.events WHERE region = 'ap')",
      ),
    ).toEqual([["20"]]);
    // a correlated subquery's outer column is not the inner table's
    const correlated = await same(
      "SELECT n.id FROM db.names n WHERE EXISTS (SELECT 1 FROM db.events e WHERE e.id = n.id AND region = 'ap') ORDER BY 1",
      "SELECT n.id FROM db.names n WHERE EXISTS (SELECT 1 FROM (SELECT * FROM db.events) e WHERE e.id = n.id AND region = 'ap') ORDER BY 1",
    );
    expect(correlated.length).toBe(10);
  });

  it("prunes time-travel reads and tables with deletes", async () => {
    const [[first]] = (await sql(
      s,
      "SELECT snapshot_id FROM db.events$snapshots ORDER BY committed_at LIMIT 1",
    )) as [[bigint]];
    const old = await explain(`SELECT * FROM db.events FOR VERSION AS OF ${first} WHERE region = 'us'`);
    expect(old).toContain(`snapshot ${first}`);
    expect(files(old, `db.events FOR VERSION AS OF ${first}`)).toBe("data files: 0 of 1 (1 skipped)");

    await sql(
      s,
      "CREATE TABLE db.mor (id BIGINT, region VARCHAR) PARTITIONED BY (region) TBLPROPERTIES ('write.delete.mode' = 'merge-on-read')",
      "INSERT INTO db.mor SELECT i, CASE WHEN i < 50 THEN 'a' ELSE 'b' END FROM range(100) t(i)",
      "DELETE FROM db.mor WHERE id % 7 = 0",
    );
    const text = await explain("SELECT * FROM db.mor WHERE region = 'b'");
    expect(files(text, "db.mor")).toBe("data files: 1 of 2 (1 skipped)");
    expect(text).toMatch(/delete files: \d+ of \d+/);
    expect(await sql(s, "SELECT count(*) FROM db.mor WHERE region = 'b'")).toEqual([["43"]]);
  });

  it("plans a table again after a commit, reusing nothing stale", async () => {
    await sql(s, "CREATE TABLE db.again (id BIGINT)", "INSERT INTO db.again VALUES (1), (2)");
    const q = "SELECT count(*) FROM db.again WHERE id > 0";
    expect(await sql(s, q)).toEqual([["2"]]);
    expect(await sql(s, q)).toEqual([["2"]]);
    await sql(s, "INSERT INTO db.again VALUES (3)");
    expect(await sql(s, q)).toEqual([["3"]]);
    await sql(s, "BEGIN", "INSERT INTO db.again VALUES (4)");
    expect(await sql(s, q)).toEqual([["4"]]);
    await sql(s, "ROLLBACK");
    expect(await sql(s, q)).toEqual([["3"]]);
    expect(files(await explain(q), "db.again")).toBe("data files: 2 of 2");
  });

  it("prunes the files an UPDATE or DELETE reads by the conjuncts of its WHERE that convert", async () => {
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const schema = schemaFromJson({
      type: "struct",
      "schema-id": 0,
      fields: [
        { id: 1, name: "id", required: false, type: "long" },
        { id: 2, name: "region", required: false, type: "string" },
        {
          id: 3,
          name: "s",
          required: false,
          type: { type: "struct", fields: [{ id: 4, name: "id", required: false, type: "long" }] },
        },
      ],
    });
    const filter = async (where: string) =>
      expressionToString(targetFilter(await whereNode(duck, where), schema, "t"));
    expect(await filter("id > 5 AND lower(region) = 'eu'")).toBe("id > 5");
    expect(await filter("t.id = 3 AND region IN (SELECT r FROM x)")).toBe("id = 3");
    expect(await filter("s.id = 3")).toBe("true"); // a struct's field, not the table's column
    expect(await filter("abs(id) = 1 OR id = 2")).toBe("true");
    duck.closeSync();

    await sql(
      s,
      "UPDATE db.events SET score = -1 WHERE region = 'us' AND id % 2 = 0",
      "DELETE FROM db.events WHERE region = 'ap' AND abs(id) > 38",
    );
    expect(await sql(s, "SELECT count(*) FILTER (WHERE score = -1), count(*) FROM db.events")).toEqual([
      ["5", "38"],
    ]);
  });

  it("prunes timestamps spelled as DuckDB spells them, never time-zone timestamps", async () => {
    await sql(
      s,
      "CREATE TABLE db.ts (id BIGINT, ts TIMESTAMP, tz TIMESTAMPTZ) PARTITIONED BY (months(ts))",
      "INSERT INTO db.ts VALUES (1, TIMESTAMP '2024-01-15 10:00:00', TIMESTAMPTZ '2024-01-15 10:00:00+00')",
      "INSERT INTO db.ts VALUES (2, TIMESTAMP '2024-02-15 10:00:00', TIMESTAMPTZ '2024-02-15 10:00:00+00')",
    );
    for (const where of [
      "ts >= TIMESTAMP '2024-02-01 00:00:00'",
      "ts >= '2024-02-01'",
      "ts > '2024-02-15T09:59'",
      "ts BETWEEN '2024-02-01 00:00:00.5' AND TIMESTAMP '2024-03-01'",
    ]) {
      const text = await explain(`SELECT id FROM db.ts WHERE ${where}`);
      expect(files(text, "db.ts"), where).toBe("data files: 1 of 2 (1 skipped)");
      expect(await sql(s, `SELECT id FROM db.ts WHERE ${where}`), where).toEqual([["2"]]);
    }
    const tz = await explain("SELECT id FROM db.ts WHERE tz >= TIMESTAMPTZ '2024-02-01 00:00:00+00'");
    expect(files(tz, "db.ts")).toBe("data files: 2 of 2");
  });
});
