import { describe, expect, it } from "vitest";
import {
  expectRefused,
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

describe("SQL UPDATE", () => {
  for (const mode of ["copy-on-write", "merge-on-read"]) {
    it(`updates rows in ${mode} mode (write.update.mode), one commit per statement`, async () => {
      const s = await fx().session();
      const t = `u.${mode.replace(/-/g, "_")}`;
      await sql(
        s,
        "CREATE NAMESPACE IF NOT EXISTS u",
        `CREATE TABLE ${t} (id BIGINT, v STRING, d DATE, amount DECIMAL(10, 2)) PARTITIONED BY (bucket(2, id))
         TBLPROPERTIES ('write.update.mode' = '${mode}')`,
        `INSERT INTO ${t} VALUES (1, 'a', DATE '2024-01-01', 1.50), (2, 'b', DATE '2024-01-02', 2.50),
                                 (3, NULL, DATE '2024-01-03', 3.50), (4, 'd', DATE '2024-01-04', 4.50),
                                 (5, 'e', DATE '2024-01-05', 5.50)`,
      );
      const before = await head();
      expect(
        await message(s, `UPDATE ${t} SET v = upper(coalesce(v, 'n')), amount = amount * 2 WHERE id <= 3`),
      ).toBe(`Updated 3 rows in ${t}`);
      expect(await commitsSince(before)).toBe(1);
      expect(await sql(s, `SELECT id, v, amount FROM ${t} ORDER BY id`)).toEqual([
        ["1", "A", "3.00"],
        ["2", "B", "5.00"],
        ["3", "N", "7.00"],
        ["4", "d", "4.50"],
        ["5", "e", "5.50"],
      ]);
      const [[op, deletes]] = (await sql(
        s,
        `SELECT operation, summary['added-position-deletes'] FROM ${t}$snapshots ORDER BY committed_at DESC LIMIT 1`,
      )) as [[string, string | null]];
      if (mode === "copy-on-write") expect([op, deletes]).toEqual(["overwrite", null]);
      else expect(Number(deletes)).toBeGreaterThan(0);

      // a condition no Iceberg expression can say (a function, another column): still exact
      const mid = await head();
      expect(await message(s, `UPDATE ${t} AS x SET x.d = x.d + 1 WHERE lower(x.v) = x.v AND id > 3`)).toBe(
        `Updated 2 rows in ${t}`,
      );
      expect(await sql(s, `SELECT id, d FROM ${t} WHERE id > 3 ORDER BY id`)).toEqual([
        ["4", "2024-01-05"],
        ["5", "2024-01-06"],
      ]);
      // nothing matches: no commit
      const none = await head();
      expect(await message(s, `UPDATE ${t} SET v = 'z' WHERE id > 100`)).toBe(`Updated 0 rows in ${t}`);
      expect(await head()).toBe(none);
      // every row, the partition column too (rows move between buckets)
      expect(await message(s, `UPDATE ${t} SET id = id + 10`)).toBe(`Updated 5 rows in ${t}`);
      expect(await commitsSince(mid)).toBe(2);
      expect(await sql(s, `SELECT id FROM ${t} ORDER BY id`)).toEqual([
        ["11"],
        ["12"],
        ["13"],
        ["14"],
        ["15"],
      ]);
    });
  }

  it("takes values from a subquery over another table", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS u",
      "CREATE TABLE u.prices (id INT, price INT)",
      "CREATE TABLE u.changes (id INT, price INT)",
      "INSERT INTO u.prices VALUES (1, 10), (2, 20), (3, 30)",
      "INSERT INTO u.changes VALUES (2, 21), (3, 31)",
    );
    expect(
      await message(
        s,
        "UPDATE u.prices p SET price = (SELECT c.price FROM u.changes c WHERE c.id = p.id) WHERE id IN (SELECT id FROM u.changes)",
      ),
    ).toBe("Updated 2 rows in u.prices");
    expect(await sql(s, "SELECT id, price FROM u.prices ORDER BY id")).toEqual([
      [1, 10],
      [2, 21],
      [3, 31],
    ]);
  });

  it("refuses bad input with one line, and commits nothing", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS u",
      "CREATE TABLE u.bad (id INT NOT NULL, v STRING)",
      "INSERT INTO u.bad VALUES (1, 'a'), (2, 'b')",
    );
    const before = await head();
    const files = filesUnder(fx().warehouse).length;
    const refused: [string, RegExp][] = [
      ["UPDATE u.bad SET nope = 1", /^Table u\.bad has no column nope$/],
      ["UPDATE u.bad SET id = 'abc'", /^Conversion Error: .*abc/],
      ["UPDATE u.bad SET id = NULL WHERE id = 1", /null in required column "id"/],
      ["UPDATE u.bad SET v = 'x', v = 'y'", /^Column v is set twice in UPDATE u\.bad$/],
      ["UPDATE u.bad SET v = nope", /nope/],
      ["UPDATE u.bad SET v = 'x' WHERE nope = 1", /column "?nope"?/],
      ["UPDATE u.missing SET v = 'x'", /u\.missing/],
      ["UPDATE u.bad SET", /^Syntax error: expected a column name at the end$/],
      ["UPDATE u.bad SET v = 'x' WHERE", /expected a condition after WHERE/],
      ["UPDATE u.bad SET s.v = 1", /nested or unknown column s\.v/],
    ];
    await expectRefused(s, refused);
    expect(await head()).toBe(before);
    expect(filesUnder(fx().warehouse).length).toBe(files);
    expect(await sql(s, "SELECT id, v FROM u.bad ORDER BY id")).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
  });

  it("updates on the session's branch only", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS u",
      "CREATE TABLE u.br (id INT, v STRING)",
      "INSERT INTO u.br VALUES (1, 'a')",
      "CREATE BRANCH ubr FROM main",
      "USE REFERENCE ubr",
    );
    expect(await message(s, "UPDATE u.br SET v = 'dev'")).toBe("Updated 1 rows in u.br");
    expect(await sql(s, "SELECT v FROM u.br")).toEqual([["dev"]]);
    expect(await sql(s, "USE REFERENCE main", "SELECT v FROM u.br")).toEqual([["a"]]);
  });
});
