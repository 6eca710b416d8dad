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

describe("SQL MERGE INTO", () => {
  for (const mode of ["copy-on-write", "merge-on-read"]) {
    it(`updates, deletes and inserts in one commit in ${mode} mode (write.merge.mode)`, async () => {
      const s = await fx().session();
      const t = `m.${mode.replace(/-/g, "_")}`;
      await sql(
        s,
        "CREATE NAMESPACE IF NOT EXISTS m",
        `CREATE TABLE ${t} (id INT, v STRING, n BIGINT) PARTITIONED BY (bucket(2, id))
         TBLPROPERTIES ('write.merge.mode' = '${mode}')`,
        `INSERT INTO ${t} VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30), (4, 'd', 40)`,
        "CREATE TABLE IF NOT EXISTS m.updates (id INT, v STRING, op STRING)",
        "DELETE FROM m.updates",
        "INSERT INTO m.updates VALUES (2, 'B', 'upsert'), (3, NULL, 'delete'), (5, 'E', 'upsert'), (6, 'F', 'skip')",
      );
      const before = await head();
      expect(
        await message(
          s,
          `MERGE INTO ${t} AS t USING m.updates AS u ON t.id = u.id
           WHEN MATCHED AND u.op = 'delete' THEN DELETE
           WHEN MATCHED THEN UPDATE SET v = u.v, n = t.n + 1
           WHEN NOT MATCHED AND u.op <> 'skip' THEN INSERT (id, v) VALUES (u.id, u.v)`,
        ),
      ).toBe(`Merged into ${t}: 1 rows updated, 1 deleted, 1 inserted`);
      expect(await commitsSince(before)).toBe(1);
      expect(await sql(s, `SELECT id, v, n FROM ${t} ORDER BY id`)).toEqual([
        [1, "a", "10"],
        [2, "B", "21"],
        [4, "d", "40"],
        [5, "E", null],
      ]);
      const [[op, deletes]] = (await sql(
        s,
        `SELECT operation, summary['added-position-deletes'] FROM ${t}$snapshots ORDER BY committed_at DESC LIMIT 1`,
      )) as [[string, string | null]];
      if (mode === "copy-on-write") expect([op, deletes]).toEqual(["overwrite", null]);
      else expect(Number(deletes)).toBeGreaterThan(0);

      // a query as the source, UPDATE SET * and INSERT *
      expect(
        await message(
          s,
          `MERGE INTO ${t} USING (SELECT id, upper(v) AS v, 0 AS n FROM ${t} WHERE id > 3 UNION ALL SELECT 9, 'i', 9) AS src
           ON ${t.split(".")[1]}.id = src.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *`,
        ),
      ).toBe(`Merged into ${t}: 2 rows updated, 0 deleted, 1 inserted`);
      expect(await sql(s, `SELECT id, v, n FROM ${t} ORDER BY id`)).toEqual([
        [1, "a", "10"],
        [2, "B", "21"],
        [4, "D", "0"],
        [5, "E", "0"],
        [9, "i", "9"],
      ]);
      // nothing to do: no commit
      const none = await head();
      expect(
        await message(
          s,
          `MERGE INTO ${t} t USING (SELECT 100 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE`,
        ),
      ).toBe(`Merged into ${t}: 0 rows updated, 0 deleted, 0 inserted`);
      expect(await head()).toBe(none);
    });
  }

  it("refuses a target row matched by more than one source row, naming the count; nothing is committed", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS m",
      "CREATE TABLE m.dup (id INT, v STRING)",
      "INSERT INTO m.dup VALUES (1, 'a'), (2, 'b'), (3, 'c')",
    );
    const before = await head();
    const files = filesUnder(fx().warehouse).length;
    await expect(
      s.execute(
        `MERGE INTO m.dup t USING (SELECT * FROM (VALUES (1, 'x'), (1, 'y'), (2, 'x'), (2, 'y'), (3, 'z')) AS v(id, v)) s
         ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT *`,
      ),
    ).rejects.toThrow(/^MERGE INTO m\.dup: 2 target rows match more than one source row; /);
    // a condition that leaves one source row per target row is fine
    expect(
      await message(
        s,
        `MERGE INTO m.dup t USING (SELECT * FROM (VALUES (1, 'x'), (1, 'y')) AS v(id, v)) s
         ON t.id = s.id WHEN MATCHED AND s.v = 'y' THEN UPDATE SET v = s.v`,
      ),
    ).toBe("Merged into m.dup: 1 rows updated, 0 deleted, 0 inserted");
    expect(await commitsSince(before)).toBe(1);
    expect(filesUnder(fx().warehouse).length).toBeGreaterThan(files);
  });

  it("refuses bad input with one line, and commits nothing", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS m",
      "CREATE TABLE m.bad (id INT NOT NULL, v STRING)",
      "INSERT INTO m.bad VALUES (1, 'a'), (2, 'b')",
    );
    const before = await head();
    const files = filesUnder(fx().warehouse).length;
    const src = "(SELECT 2 AS id, 'x' AS w) AS s";
    const refused: [string, RegExp][] = [
      [
        `MERGE INTO m.bad t USING ${src} ON t.id = s.id WHEN MATCHED THEN UPDATE SET nope = 1`,
        /^Table m\.bad has no column nope$/,
      ],
      [
        `MERGE INTO m.bad t USING ${src} ON t.id = s.id WHEN MATCHED THEN UPDATE SET id = 'abc'`,
        /^Conversion Error: .*'abc'/,
      ],
      [
        `MERGE INTO m.bad t USING ${src} ON t.id = s.id WHEN MATCHED THEN UPDATE SET *`,
        /^Binder Error: .*"v"/,
      ],
      [`MERGE INTO m.bad t USING ${src} ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = nope`, /nope/],
      [`MERGE INTO m.bad t USING ${src} ON t.id = s.nope WHEN MATCHED THEN DELETE`, /nope/],
      [
        `MERGE INTO m.bad t USING (SELECT 7 AS id) s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (v) VALUES ('x')`,
        /null in required column "id"/,
      ],
      [
        `MERGE INTO m.bad t USING ${src} ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (1, 2)`,
        /names 1 columns but gives 2 values/,
      ],
      [
        `MERGE INTO m.bad t USING ${src} ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id, id) VALUES (1, 2)`,
        /named twice/,
      ],
      [
        `MERGE INTO m.bad t USING (SELECT 1 AS id) ON t.id = 1 WHEN MATCHED THEN DELETE`,
        /expected an alias for the source query/,
      ],
      [`MERGE INTO m.bad t USING ${src} ON t.id = s.id`, /expected WHEN MATCHED or WHEN NOT MATCHED/],
      [
        `MERGE INTO m.bad t USING ${src} ON t.id = s.id WHEN MATCHED THEN INSERT *`,
        /expected UPDATE or DELETE/,
      ],
      [
        `MERGE INTO m.bad t USING ${src} ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE`,
        /NOT MATCHED BY SOURCE is not supported/,
      ],
      [`MERGE INTO m.missing t USING ${src} ON t.id = s.id WHEN MATCHED THEN DELETE`, /m\.missing/],
    ];
    await expectRefused(s, refused);
    expect(await head()).toBe(before);
    expect(filesUnder(fx().warehouse).length).toBe(files);
    expect(await sql(s, "SELECT id, v FROM m.bad ORDER BY id")).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
  });

  it("reads only the target files the ON condition can match (source values, target-only conditions)", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS m",
      "CREATE TABLE m.big (id BIGINT, region STRING, v STRING)",
      // four files with disjoint id ranges
      ...[0, 1, 2, 3].map(
        (k) =>
          `INSERT INTO m.big SELECT i, CASE WHEN i % 2 = 0 THEN 'eu' ELSE 'us' END, 'v' || i FROM range(${k * 100}, ${k * 100 + 100}) t(i)`,
      ),
      "CREATE TABLE m.changes (id BIGINT, v STRING)",
      "INSERT INTO m.changes VALUES (105, 'x'), (150, 'y'), (NULL, 'z'), (1000, 'new')",
    );
    const rewritten = async () => {
      const [[summary]] = (await sql(
        s,
        "SELECT summary['deleted-data-files'] FROM m.big$snapshots ORDER BY committed_at DESC LIMIT 1",
      )) as [[string | null]];
      return summary;
    };
    expect(
      await message(
        s,
        `MERGE INTO m.big t USING m.changes c ON t.id = c.id
         WHEN MATCHED THEN UPDATE SET v = c.v WHEN NOT MATCHED THEN INSERT (id, region, v) VALUES (c.id, 'ap', c.v)`,
      ),
    ).toBe("Merged into m.big: 2 rows updated, 0 deleted, 2 inserted");
    expect(await rewritten()).toBe("1"); // only the file of ids 100–199 was read and rewritten
    expect(
      await sql(s, "SELECT id, v FROM m.big WHERE v IN ('x', 'y', 'z', 'new') OR id IS NULL ORDER BY id"),
    ).toEqual([
      ["105", "x"],
      ["150", "y"],
      ["1000", "new"],
      [null, "z"],
    ]);
    // more source values than an IN list holds: their range; a target-only condition prunes too
    await sql(s, "DELETE FROM m.changes", "INSERT INTO m.changes SELECT i, 'r' FROM range(200, 1400) t(i)");
    expect(
      await message(
        s,
        `MERGE INTO m.big t USING m.changes c ON t.id = c.id AND t.region = 'eu' WHEN MATCHED THEN DELETE`,
      ),
    ).toBe("Merged into m.big: 0 rows updated, 100 deleted, 0 inserted");
    expect(await rewritten()).toBe("2");
    expect(await sql(s, "SELECT count(*) FROM m.big")).toEqual([["302"]]);
    // an empty source reads no target file at all
    await sql(s, "DELETE FROM m.changes");
    expect(
      await message(s, "MERGE INTO m.big t USING m.changes c ON t.id = c.id WHEN MATCHED THEN DELETE"),
    ).toBe("Merged into m.big: 0 rows updated, 0 deleted, 0 inserted");
  });
});
