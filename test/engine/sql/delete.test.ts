import { describe, expect, it } from "vitest";
import {
  message,
  sql,
  useSqlCatalog,
  commitsSince as commitsSinceOn,
  filesUnder,
  mainHead,
} from "./sql-helpers.ts";

const fx = useSqlCatalog();

const head = () => mainHead(fx());
const commitsSince = (from: string) => commitsSinceOn(fx(), from);

describe("SQL DELETE", () => {
  for (const mode of ["copy-on-write", "merge-on-read"]) {
    it(`deletes rows in ${mode} mode, one commit per statement, and reads the rest back`, async () => {
      const s = await fx().session();
      const t = `x.${mode.replace(/-/g, "_")}`;
      await sql(
        s,
        "CREATE NAMESPACE IF NOT EXISTS x",
        `CREATE TABLE ${t} (id BIGINT, v STRING, d DATE, amount DECIMAL(10, 2)) PARTITIONED BY (bucket(2, id))
         TBLPROPERTIES ('write.delete.mode' = '${mode}')`,
        `INSERT INTO ${t} VALUES (1, 'a', DATE '2024-01-01', 1.50), (2, 'b', DATE '2024-01-02', 2.50),
                                 (3, NULL, DATE '2024-01-03', 3.50), (4, 'd', DATE '2024-01-04', 4.50),
                                 (5, 'e', DATE '2024-01-05', 5.50)`,
      );
      const before = await head();
      expect(await message(s, `DELETE FROM ${t} WHERE id = 2 OR v IS NULL`)).toBe(`Deleted 2 rows from ${t}`);
      expect(await commitsSince(before)).toBe(1);
      expect(await sql(s, `SELECT id FROM ${t} ORDER BY id`)).toEqual([["1"], ["4"], ["5"]]);
      const snap = await sql(s, `SELECT operation FROM ${t}$snapshots ORDER BY committed_at DESC LIMIT 1`);
      expect(snap).toEqual([[mode === "copy-on-write" ? "overwrite" : "delete"]]);

      const mid = await head();
      expect(
        await message(
          s,
          `DELETE FROM ${t} WHERE NOT (d < DATE '2024-01-05' AND amount >= 1.5) AND id IN (5, 6)`,
        ),
      ).toBe(`Deleted 1 rows from ${t}`);
      expect(await message(s, `DELETE FROM ${t} WHERE v NOT IN ('a') AND 3 < id`)).toBe(
        `Deleted 1 rows from ${t}`,
      );
      expect(await commitsSince(mid)).toBe(2);
      expect(await sql(s, `SELECT id, v FROM ${t}`)).toEqual([["1", "a"]]);

      const none = await head();
      expect(await message(s, `DELETE FROM ${t} WHERE id > 100`)).toBe(`Deleted 0 rows from ${t}`);
      expect(await head()).toBe(none); // nothing matched: no commit
      expect(await message(s, `DELETE FROM ${t}`)).toBe(`Deleted 1 rows from ${t}`);
      expect(await commitsSince(none)).toBe(1);
      expect(await sql(s, `SELECT count(*) FROM ${t}`)).toEqual([["0"]]);
    });
  }

  it("deletes by any condition DuckDB can evaluate: functions, arithmetic, columns compared, subqueries", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS g",
      "CREATE TABLE g.cow (id INT, v STRING, w INT)",
      "CREATE TABLE g.mor (id INT, v STRING, w INT) TBLPROPERTIES ('write.delete.mode' = 'merge-on-read')",
      "CREATE TABLE g.gone (id INT)",
      "INSERT INTO g.gone VALUES (4), (5)",
    );
    for (const t of ["g.cow", "g.mor"]) {
      await sql(
        s,
        `INSERT INTO ${t} VALUES (1, 'A', 1), (2, 'b', 0), (3, 'c', 3), (4, 'd', 0), (5, 'e', 0), (6, 'f', 0)`,
      );
      expect(await message(s, `DELETE FROM ${t} WHERE lower(v) = 'a'`)).toBe(`Deleted 1 rows from ${t}`);
      expect(await message(s, `DELETE FROM ${t} WHERE id = w`)).toBe(`Deleted 1 rows from ${t}`);
      expect(await message(s, `DELETE FROM ${t} WHERE id IN (SELECT id FROM g.gone)`)).toBe(
        `Deleted 2 rows from ${t}`,
      );
      expect(await message(s, `DELETE FROM ${t} WHERE id % 2 = 0 AND id > 5`)).toBe(
        `Deleted 1 rows from ${t}`,
      );
      expect(await sql(s, `SELECT id FROM ${t} ORDER BY id`)).toEqual([[2]]);
    }
  });

  it("refuses a bad WHERE with one line naming it, and commits nothing", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS x",
      "CREATE TABLE x.r (id INT, v STRING)",
      "INSERT INTO x.r VALUES (1, 'a'), (2, 'b')",
    );
    const before = await head();
    const files = filesUnder(fx().warehouse).length;
    await expect(s.execute("DELETE FROM x.r WHERE id = v")).rejects.toThrow(/Conversion Error/);
    await expect(s.execute("DELETE FROM x.r WHERE lower(nope) = 'a'")).rejects.toThrow(/nope/);
    await expect(s.execute("DELETE FROM x.r WHERE id IN (SELECT id FROM x.missing)")).rejects.toThrow(
      /x.missing/,
    );
    await expect(s.execute("DELETE FROM x.r WHERE id = NULL")).rejects.toThrow(/use IS NULL/);
    await expect(s.execute("DELETE FROM x.r WHERE id = 1 LIMIT 1")).rejects.toThrow(/no LIMIT/);
    await expect(s.execute("DELETE FROM x.r WHERE id = 1; DROP TABLE x.r")).rejects.toThrow(
      /Unsupported WHERE/,
    );
    await expect(s.execute("DELETE FROM x.r WHERE nope = 1")).rejects.toThrow(/nope/);
    await expect(s.execute("DELETE FROM x.r WHERE")).rejects.toThrow(/expected a condition after WHERE/);
    await expect(s.execute("DELETE FROM x.missing")).rejects.toThrow(/missing/);
    expect(await head()).toBe(before);
    expect(filesUnder(fx().warehouse).length).toBe(files);
    expect(await sql(s, "SELECT id FROM x.r ORDER BY id")).toEqual([[1], [2]]);
  });

  it("deletes on the session's branch only", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS x",
      "CREATE TABLE x.b (id INT)",
      "INSERT INTO x.b VALUES (1), (2)",
      "CREATE BRANCH dev FROM main",
      "USE REFERENCE dev",
    );
    expect(await message(s, "DELETE FROM x.b WHERE id = 1")).toBe("Deleted 1 rows from x.b");
    expect(await sql(s, "SELECT id FROM x.b")).toEqual([[2]]);
    expect(await sql(s, "USE REFERENCE main", "SELECT id FROM x.b ORDER BY id")).toEqual([[1], [2]]);
  });

  it("a DELETE racing an INSERT from another session: both acknowledged, neither lost", async () => {
    const a = await fx().session();
    const b = await fx().session();
    await sql(
      a,
      "CREATE NAMESPACE IF NOT EXISTS x",
      "CREATE TABLE x.race (id INT) TBLPROPERTIES ('write.delete.mode' = 'merge-on-read')",
      "INSERT INTO x.race VALUES (1), (2), (3)",
    );
    const before = await head();
    // Usually the INSERT commits between the DELETE's load and its commit: the DELETE's requirement
    // fails and it is made again from the new head (the retry path); either order must keep both.
    const [deleted, inserted] = await Promise.all([
      message(a, "DELETE FROM x.race WHERE id = 2"),
      message(b, "INSERT INTO x.race VALUES (10)"),
    ]);
    expect(deleted).toBe("Deleted 1 rows from x.race");
    expect(inserted).toBe("Inserted 1 rows into x.race");
    expect(await commitsSince(before)).toBe(2);
    expect(await sql(a, "SELECT id FROM x.race ORDER BY id")).toEqual([[1], [3], [10]]);
  });
});
