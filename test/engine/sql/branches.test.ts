import { describe, expect, it } from "vitest";
import { message, sql, useSqlCatalog } from "./sql-helpers.ts";

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
});
