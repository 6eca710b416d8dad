import { describe, expect, it } from "vitest";
import { isFloeError } from "../../../src/core/errors.ts";
import { filesUnder, mainHead, message, sql, useSqlCatalog } from "./sql-helpers.ts";

const fx = useSqlCatalog();

describe("SQL session: branches and time travel", () => {
  it("writes on a branch, reads each branch, merges, and time travels", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE db",
      "CREATE TABLE db.t (id INT, v STRING)",
      "INSERT INTO db.t VALUES (1, 'a')",
    );
    const mainHash = ((await sql(s, "SHOW REFERENCE")) as string[][])[0]?.[2];
    expect(await message(s, "CREATE BRANCH dev FROM main")).toBe(`Created branch dev at ${mainHash}`);
    expect(await message(s, "CREATE BRANCH IF NOT EXISTS dev")).toBe("Branch dev already exists");
    expect(await message(s, "USE REFERENCE dev")).toMatch(/^Using dev at /);
    expect(s.ref).toBe("dev");
    await sql(s, "INSERT INTO db.t VALUES (2, 'b')");
    expect(await sql(s, "SELECT id FROM db.t ORDER BY id")).toEqual([[1], [2]]);
    // another reference's table, without switching: `t@ref`
    expect(await sql(s, 'SELECT count(*) FROM db."t@main"')).toEqual([["1"]]);
    expect(await sql(s, "SELECT count(*) FROM db.`t@main` m")).toEqual([["1"]]);
    const main = await fx().session();
    expect(await sql(main, "SELECT id FROM db.t")).toEqual([[1]]);

    // time travel to the table's first snapshot, by id and by time
    const snapshots =
      (await sql(s, "SELECT 1")) &&
      (await fx().catalog.files.readTable(
        (await fx().catalog.store.getContents((await fx().store.getReference("dev")).hash, [["db", "t"]]))[0]
          ?.content.metadataLocation as string,
      ));
    const first = snapshots.snapshots[0];
    expect(await sql(s, `SELECT id FROM db.t FOR VERSION AS OF ${first?.snapshotId} ORDER BY id`)).toEqual([
      [1],
    ]);
    const at = new Date(Number(first?.timestampMs) + 1).toISOString();
    expect(await sql(s, `SELECT t.id FROM db.t FOR TIMESTAMP AS OF '${at}'`)).toEqual([[1]]);
    await expect(s.execute("SELECT * FROM db.t FOR VERSION AS OF 42")).rejects.toThrow(/42/);

    expect(await sql(s, "SHOW REFERENCES")).toEqual([
      ["BRANCH", "dev", expect.any(String)],
      ["BRANCH", "main", mainHash],
    ]);
    const log = (await sql(s, "SHOW LOG dev")) as string[][];
    expect(log[0]?.[3]).toBe("Iceberg commit to db.t");
    expect(log[0]?.[1]).toBe("test");

    expect(await message(s, "MERGE BRANCH dev INTO main")).toMatch(/^Merged dev into main: main is at /);
    expect(await sql(main, "SELECT id FROM db.t ORDER BY id")).toEqual([[1], [2]]);

    await sql(s, "CREATE TAG v1 FROM main");
    await sql(s, "USE REFERENCE v1");
    await expect(s.execute("INSERT INTO db.t VALUES (3, 'c')")).rejects.toThrow(/read-only/);
    expect(await sql(s, "SELECT count(*) FROM db.t")).toEqual([["2"]]);
    await sql(s, "USE REFERENCE main");
    expect(await message(s, "ASSIGN TAG v1 TO dev")).toMatch(/^Assigned tag v1 to /);
    expect(await message(s, "DROP TAG v1")).toBe("Dropped tag v1");
    expect(await message(s, "DROP BRANCH dev")).toBe("Dropped branch dev");
    expect(await message(s, "DROP BRANCH IF EXISTS dev")).toBe("Branch dev does not exist");
    await expect(s.execute("USE REFERENCE nope")).rejects.toThrow(/nope/);
  });

  // Every write on a tag or a detached commit is refused up front with one line naming the
  // reference (before any table is loaded or dropped), and changes nothing.
  const writes = [
    "INSERT INTO w.t VALUES (9, 'z')",
    "INSERT INTO w.t SELECT * FROM w.t",
    "DELETE FROM w.t WHERE id = 1",
    "DELETE FROM w.t",
    "UPDATE w.t SET v = 'x' WHERE id = 1",
    "MERGE INTO w.t AS t USING (SELECT 1 AS id, 'm' AS v) AS u ON t.id = u.id WHEN MATCHED THEN UPDATE SET v = u.v",
    "CREATE TABLE w.u (id INT)",
    "CREATE TABLE w.u AS SELECT 1 AS id",
    "ALTER TABLE w.t ADD COLUMN n INT",
    "ALTER TABLE w.t RENAME COLUMN v TO s",
    "DROP TABLE w.t",
    "DROP TABLE w.t PURGE",
    "DROP TABLE IF EXISTS w.nope",
    "CREATE VIEW w.v AS SELECT 1 AS one",
    "DROP VIEW w.old",
    "CREATE NAMESPACE other",
    "DROP NAMESPACE w",
    "CALL system.expire_snapshots('w.t')",
    "CALL system.rewrite_data_files(table => 'w.t')",
    "CALL system.rollback_to_snapshot('w.t', 1)",
  ];
  it("refuses every write on a tag or a detached commit with one line, changing nothing", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE w",
      "CREATE TABLE w.t (id INT, v STRING)",
      "INSERT INTO w.t VALUES (1, 'a'), (2, 'b')",
      "CREATE VIEW w.old AS SELECT 1 AS one",
      "CREATE TAG wv1",
    );
    const head = await mainHead(fx());
    const files = filesUnder(fx().warehouse).length;
    const expectRefused = async (statement: string, line: string) => {
      const e: unknown = await s.execute(statement).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(isFloeError(e, "FORBIDDEN") ? e.message : e, statement).toBe(line);
    };
    await sql(s, "USE TAG wv1");
    for (const w of writes)
      await expectRefused(w, "Cannot write on tag 'wv1': tags are read-only; use a branch");
    await sql(s, `USE REFERENCE main AT ${head}`);
    for (const w of writes)
      await expectRefused(
        w,
        `Cannot write on commit 'main@${head}': a detached commit is read-only; use a branch`,
      );
    // a tag named by the target, from a branch
    await sql(s, "USE BRANCH main");
    await expectRefused(
      "INSERT INTO w.`t@wv1` VALUES (9, 'z')",
      "Cannot write on tag 'wv1': tags are read-only; use a branch",
    );
    await expectRefused(
      "DROP TABLE w.`t@wv1` PURGE",
      "Cannot write on tag 'wv1': tags are read-only; use a branch",
    );
    // in a transaction: refused the same way, and the transaction rolled back
    await sql(s, "USE TAG wv1", "BEGIN");
    await expect(s.execute("INSERT INTO w.t VALUES (9, 'z')")).rejects.toThrow(
      "Cannot write on tag 'wv1': tags are read-only; use a branch (the transaction was rolled back)",
    );
    // reads and a procedure that commits nothing still run on the tag
    expect(await sql(s, "SELECT count(*) FROM w.t")).toEqual([["2"]]);
    expect(await sql(s, "CALL system.remove_orphan_files(table => 'w.t', dry_run => true)")).toEqual([]);
    expect(await mainHead(fx())).toBe(head);
    expect(filesUnder(fx().warehouse)).toHaveLength(files);
    await sql(s, "USE BRANCH main");
    expect(await sql(s, "SELECT id, v FROM w.t ORDER BY id")).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
  });
});
