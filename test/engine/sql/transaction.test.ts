import { describe, expect, it } from "vitest";
import {
  message,
  sql,
  useSqlCatalog,
  commitsSince as commitsSinceOn,
  filesUnder as allFilesUnder,
  mainHead,
} from "./sql-helpers.ts";

const fx = useSqlCatalog();

const head = () => mainHead(fx());
const commitsSince = (from: string) => commitsSinceOn(fx(), from);

const filesUnder = (dir: string): Set<string> => new Set(allFilesUnder(dir));
const minus = (a: Set<string>, b: Set<string>) => new Set([...a].filter((x) => !b.has(x)));

async function setup(name: string): Promise<void> {
  const s = await fx().session();
  await sql(
    s,
    "CREATE NAMESPACE IF NOT EXISTS tx",
    `CREATE TABLE tx.${name}_a (id INT, v STRING) PARTITIONED BY (id) TBLPROPERTIES ('write.update.mode' = 'merge-on-read')`,
    `CREATE TABLE tx.${name}_b (id INT, v STRING)`,
    `INSERT INTO tx.${name}_a VALUES (1, 'a'), (2, 'b')`,
    `INSERT INTO tx.${name}_b VALUES (1, 'x'), (2, 'y')`,
  );
}

describe("SQL transactions", () => {
  it("a transaction over tables of nested namespaces and a one-level namespace with a dot is one commit", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE txn",
      "CREATE NAMESPACE txn.deep",
      'CREATE NAMESPACE "txn.deep"',
      "CREATE TABLE txn.deep.t (id INT)",
      'CREATE TABLE "txn.deep".t (id INT)',
    );
    const before = await head();
    await sql(s, "BEGIN", "INSERT INTO txn.deep.t VALUES (1), (2)", 'INSERT INTO "txn.deep".t VALUES (3)');
    expect(
      await sql(s, 'SELECT (SELECT sum(id) FROM txn.deep.t), (SELECT sum(id) FROM "txn.deep".t)'),
    ).toEqual([["3", "3"]]);
    expect(await message(s, "COMMIT")).toBe(
      "Committed 2 tables (txn.deep.t, txn.deep.t) in one commit on main",
    );
    expect(await commitsSince(before)).toBe(1);
    expect(await sql(s, "SELECT count(*) FROM txn.deep.t")).toEqual([["2"]]);
  });

  it("BEGIN … COMMIT across two tables is one commit; statements see their own writes, others do not", async () => {
    await setup("ok");
    const s = await fx().session();
    const other = await fx().session();
    const before = await head();
    expect(await message(s, "BEGIN")).toBe("Transaction started on main");
    expect(await message(s, "INSERT INTO tx.ok_a VALUES (3, 'c')")).toBe("Inserted 1 rows into tx.ok_a");
    expect(await message(s, "UPDATE tx.ok_a SET v = upper(v) WHERE id >= 2")).toBe(
      "Updated 2 rows in tx.ok_a",
    );
    expect(await message(s, "DELETE FROM tx.ok_b WHERE id = 1")).toBe("Deleted 1 rows from tx.ok_b");
    expect(
      await message(
        s,
        "MERGE INTO tx.ok_b b USING tx.ok_a a ON a.id = b.id WHEN MATCHED THEN UPDATE SET v = a.v WHEN NOT MATCHED THEN INSERT *",
      ),
    ).toBe("Merged into tx.ok_b: 1 rows updated, 0 deleted, 2 inserted");
    // inside: the pending state, joins included
    expect(
      await sql(s, "SELECT a.id, a.v, b.v FROM tx.ok_a a LEFT JOIN tx.ok_b b USING (id) ORDER BY a.id"),
    ).toEqual([
      [1, "a", "a"],
      [2, "B", "B"],
      [3, "C", "C"],
    ]);
    // outside: nothing yet
    expect(await head()).toBe(before);
    expect(await sql(other, "SELECT id, v FROM tx.ok_a ORDER BY id")).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
    expect(await message(s, "COMMIT")).toBe("Committed 2 tables (tx.ok_a, tx.ok_b) in one commit on main");
    expect(await commitsSince(before)).toBe(1);
    const [entry] = (await fx().store.log(await head())).items;
    expect(entry?.commitMeta.message).toBe("SQL transaction: Iceberg commit to tx.ok_a, tx.ok_b");
    expect(await sql(other, "SELECT id, v FROM tx.ok_b ORDER BY id")).toEqual([
      [1, "a"],
      [2, "B"],
      [3, "C"],
    ]);
    // the table's history shows each statement's snapshot, all in that one catalog commit
    expect(await sql(other, "SELECT count(*) FROM tx.ok_a$snapshots")).toEqual([["3"]]);
    await expect(s.execute("COMMIT")).rejects.toThrow(/^COMMIT without a transaction/);
  });

  it("ROLLBACK leaves no commit and deletes the files the transaction wrote", async () => {
    await setup("rb");
    const s = await fx().session();
    const before = await head();
    const files = filesUnder(fx().warehouse);
    await sql(s, "START TRANSACTION", "INSERT INTO tx.rb_a VALUES (3, 'c')", "UPDATE tx.rb_b SET v = 'z'");
    expect(filesUnder(fx().warehouse).size).toBeGreaterThan(files.size);
    expect(await message(s, "ROLLBACK")).toBe("Rolled back: nothing was committed");
    expect(await head()).toBe(before);
    expect(filesUnder(fx().warehouse)).toEqual(files);
    expect(await sql(s, "SELECT count(*) FROM tx.rb_a")).toEqual([["2"]]);
  });

  it("a failing statement ends the transaction: nothing committed, its files deleted", async () => {
    await setup("fail");
    const s = await fx().session();
    const before = await head();
    const files = filesUnder(fx().warehouse);
    await sql(s, "BEGIN", "INSERT INTO tx.fail_a VALUES (3, 'c')");
    await expect(s.execute("UPDATE tx.fail_b SET nope = 1")).rejects.toThrow(
      /^Table tx\.fail_b has no column nope \(the transaction was rolled back\)$/,
    );
    expect(filesUnder(fx().warehouse)).toEqual(files);
    await expect(s.execute("COMMIT")).rejects.toThrow(
      /^COMMIT without a transaction: no BEGIN came before it$/,
    );
    expect(await head()).toBe(before);
  });

  it("the session ending with a transaction open commits nothing and deletes its files", async () => {
    await setup("end");
    const s = await fx().session();
    const before = await head();
    const files = filesUnder(fx().warehouse);
    await sql(s, "BEGIN", "INSERT INTO tx.end_a VALUES (3, 'c')", "DELETE FROM tx.end_b WHERE id = 1");
    await s.close();
    expect(await head()).toBe(before);
    expect(filesUnder(fx().warehouse)).toEqual(files);
  });

  it("a conflict at COMMIT is a clear error and leaves nothing", async () => {
    await setup("race");
    const a = await fx().session();
    const b = await fx().session();
    const files = filesUnder(fx().warehouse);
    await sql(a, "BEGIN", "UPDATE tx.race_a SET v = 'mine'", "INSERT INTO tx.race_b VALUES (9, 'mine')");
    const mine = minus(filesUnder(fx().warehouse), files);
    expect(await message(b, "INSERT INTO tx.race_a VALUES (5, 'theirs')")).toBe(
      "Inserted 1 rows into tx.race_a",
    );
    const theirs = await head();
    const withTheirs = filesUnder(fx().warehouse);
    await expect(a.execute("COMMIT")).rejects.toThrow(/^COMMIT failed, nothing was committed: .+/);
    expect(await head()).toBe(theirs);
    expect(filesUnder(fx().warehouse)).toEqual(minus(withTheirs, mine));
    expect(await sql(a, "SELECT id, v FROM tx.race_a ORDER BY id")).toEqual([
      [1, "a"],
      [2, "b"],
      [5, "theirs"],
    ]);
    expect(await sql(a, "SELECT count(*) FROM tx.race_b")).toEqual([["2"]]);
  });

  it("refuses COMMIT / ROLLBACK without BEGIN, nested BEGIN, DDL and reference statements inside", async () => {
    await setup("bad");
    const s = await fx().session();
    const before = await head();
    const files = filesUnder(fx().warehouse);
    await expect(s.execute("COMMIT")).rejects.toThrow(
      /^COMMIT without a transaction: no BEGIN came before it$/,
    );
    await expect(s.execute("ROLLBACK")).rejects.toThrow(/^ROLLBACK without a transaction/);
    const inside: [string, RegExp][] = [
      ["BEGIN", /^A transaction is already open \(transactions do not nest\)/],
      ["CREATE TABLE tx.bad_c (id INT)", /^CREATE TABLE is not allowed inside a transaction/],
      ["ALTER TABLE tx.bad_a ADD COLUMN w INT", /^ALTER TABLE is not allowed inside a transaction/],
      ["CREATE BRANCH txb", /^CREATE REFERENCE is not allowed inside a transaction/],
      ["USE REFERENCE main", /^USE REFERENCE is not allowed inside a transaction/],
      ["DROP TABLE tx.bad_a", /^DROP TABLE is not allowed inside a transaction/],
    ];
    for (const [statement, error] of inside) {
      await sql(s, "BEGIN", "INSERT INTO tx.bad_a VALUES (7, 'q')");
      const e = await s.execute(statement).then(
        () => undefined,
        (x: Error) => x,
      );
      expect(e?.message, statement).toMatch(error);
      expect(e?.message).toMatch(/\(the transaction was rolled back\)$/);
      expect(e?.message).not.toContain("\n");
      await expect(s.execute("ROLLBACK")).rejects.toThrow(/without a transaction/); // already rolled back
    }
    await expect(s.execute("BEGIN WORK extra")).rejects.toThrow(/^Syntax error: expected the end/);
    expect(await head()).toBe(before);
    expect(filesUnder(fx().warehouse)).toEqual(files);
    expect(await sql(s, "SELECT count(*) FROM tx.bad_a")).toEqual([["2"]]);
  });
});
