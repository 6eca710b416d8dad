import { existsSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadTable } from "../../../src/catalog/tables.ts";
import type { SqlSession } from "../../../src/engine/sql/session.ts";
import { message, sql, useSqlCatalog } from "./sql-helpers.ts";

const fx = useSqlCatalog();

const filesUnder = (location: string): string[] =>
  readdirSync(fileURLToPath(location), { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => join(f.parentPath, f.name));

/** Makes every file under the table's location look five days old. */
const age = (location: string): void => {
  const then = new Date(Date.now() - 5 * 24 * 3600 * 1000);
  for (const f of filesUnder(location)) utimesSync(f, then, then);
};

const location = async (table: string[]) => (await loadTable(fx().catalog, "main", table)).metadata.location;
/** The first row of a statement's result. */
const first = async (s: SqlSession, statement: string): Promise<unknown[]> =>
  (await sql(s, statement))[0] ?? [];
const commits = async (s: SqlSession) => (await sql(s, "SHOW LOG")).length;

describe("SQL session: CALL procedures", () => {
  it("rewrite_data_files compacts small files, by named or positional arguments and a where", async () => {
    const s = await fx().session();
    await sql(s, "CREATE NAMESPACE c", "CREATE TABLE c.t (id INT, cat STRING) PARTITIONED BY (cat)");
    for (const v of ["(1, 'a')", "(2, 'a')", "(3, 'b')", "(4, 'b')"])
      await sql(s, `INSERT INTO c.t VALUES ${v}`);
    const r = await s.execute("CALL system.rewrite_data_files(table => 'c.t', where => 'cat = ''a''')");
    expect(r.columns.map((c) => c.name)).toEqual([
      "rewritten_data_files_count",
      "added_data_files_count",
      "rewritten_bytes_count",
      "failed_data_files_count",
      "removed_delete_files_count",
    ]);
    const rows = await sql(s, "CALL system.rewrite_data_files(table => 'c.t', where => 'cat = ''a''')");
    // the first call compacted partition a; the second finds one file there, nothing to do
    expect(rows).toEqual([[0, 0, "0", 0, 0]]);
    expect(await sql(s, `SELECT partition.cat, count(*) FROM c."t$files" GROUP BY 1 ORDER BY 1`)).toEqual([
      ["a", "1"],
      ["b", "2"],
    ]);
    const [rewritten, added, bytes] = await first(s, "CALL floe.system.rewrite_data_files('c.t')");
    expect([rewritten, added, Number(bytes) > 0]).toEqual([2, 1, true]);
    expect(await sql(s, "SELECT id FROM c.t ORDER BY id")).toEqual([[1], [2], [3], [4]]);
    expect(await sql(s, `SELECT operation FROM c."t$snapshots" ORDER BY committed_at DESC LIMIT 1`)).toEqual([
      ["replace"],
    ]);
    const before = await commits(s);
    expect(
      await sql(s, "CALL system.rewrite_data_files(table => 'c.t', options => map('min-input-files', '1'))"),
    ).toEqual([[2, 2, expect.any(String), 0, 0]]);
    expect(await commits(s)).toBe(before + 1);
  });

  it("takes tables of nested namespaces, a quoted level being one", async () => {
    const s = await fx().session();
    await sql(s, "CREATE NAMESPACE cn", "CREATE NAMESPACE cn.x", "CREATE TABLE cn.x.t (id INT)");
    await sql(s, 'CREATE NAMESPACE "cn.x"', 'CREATE TABLE "cn.x".t (id INT)');
    for (const v of [1, 2])
      await sql(s, `INSERT INTO cn.x.t VALUES (${v})`, `INSERT INTO "cn.x".t VALUES (${v})`);
    expect(await first(s, "CALL system.rewrite_data_files(table => 'cn.x.t')")).toEqual([
      2,
      1,
      expect.any(String),
      0,
      0,
    ]);
    expect(await first(s, "CALL floe.system.rewrite_data_files('floe.\"cn.x\".t')")).toEqual([
      2,
      1,
      expect.any(String),
      0,
      0,
    ]);
    expect(await sql(s, "SELECT count(*) FROM cn.x.t$files")).toEqual([["1"]]);
    await expect(s.execute("CALL system.rewrite_data_files(table => 'cn.x.nope')")).rejects.toThrow(
      "Table cn.x.nope does not exist on main",
    );
  });

  it("expire_snapshots removes old snapshots and the files only they used", async () => {
    const s = await fx().session();
    await sql(s, "CREATE NAMESPACE IF NOT EXISTS c", "CREATE TABLE c.e (id INT)");
    for (const v of [1, 2, 3]) await sql(s, `INSERT INTO c.e VALUES (${v})`);
    await sql(s, "CALL system.rewrite_data_files('c.e')");
    const loc = await location(["c", "e"]);
    const dataBefore = filesUnder(loc).filter((f) => f.endsWith(".parquet"));
    expect(dataBefore).toHaveLength(4);
    const r = await s.execute(
      "CALL system.expire_snapshots(table => 'c.e', older_than => TIMESTAMP '2999-01-01 00:00:00', retain_last => 1)",
    );
    expect(r.columns.map((c) => c.name)).toEqual([
      "deleted_data_files_count",
      "deleted_position_delete_files_count",
      "deleted_equality_delete_files_count",
      "deleted_manifest_files_count",
      "deleted_manifest_lists_count",
      "deleted_statistics_files_count",
    ]);
    const rows = await sql(
      s,
      "CALL system.expire_snapshots(table => 'c.e', older_than => TIMESTAMP '2999-01-01 00:00:00', retain_last => 1)",
    );
    expect(rows).toEqual([["0", "0", "0", "0", "0", "0"]]); // the first call did it all
    expect(await sql(s, `SELECT count(*) FROM c."e$snapshots"`)).toEqual([["1"]]);
    const dataAfter = filesUnder(loc).filter((f) => f.endsWith(".parquet"));
    expect(dataAfter).toHaveLength(1);
    expect(await sql(s, "SELECT id FROM c.e ORDER BY id")).toEqual([[1], [2], [3]]);
  });

  it("expire_snapshots reports its counts and keeps files another branch holds", async () => {
    const s = await fx().session();
    await sql(s, "CREATE NAMESPACE IF NOT EXISTS c", "CREATE TABLE c.k (id INT)");
    for (const v of [1, 2]) await sql(s, `INSERT INTO c.k VALUES (${v})`);
    await sql(s, "DELETE FROM c.k WHERE id = 1");
    expect(await sql(s, "CALL system.expire_snapshots('c.k', TIMESTAMP '2999-01-01 00:00:00', 1)")).toEqual([
      ["1", "0", "0", "1", "2", "0"],
    ]);
    await sql(s, "INSERT INTO c.k VALUES (3)", "CREATE BRANCH keep_k", "DELETE FROM c.k WHERE id = 3");
    const files = filesUnder(await location(["c", "k"])).length;
    expect(
      await message(
        s,
        "CALL system.expire_snapshots(table => 'c.k', older_than => TIMESTAMP '2999-01-01 00:00:00')",
      ),
    ).toBe("Expired 2 snapshots of c.k; their files are kept: branch keep_k still holds the table");
    expect(filesUnder(await location(["c", "k"])).length).toBeGreaterThanOrEqual(files);
    const k = await fx().session("keep_k");
    expect(await sql(k, "SELECT id FROM c.k ORDER BY id")).toEqual([[2], [3]]);
  });

  it("remove_orphan_files finds files nothing reaches, minding other branches", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS c",
      "CREATE TABLE c.o (id INT)",
      "INSERT INTO c.o VALUES (1)",
    );
    await sql(s, "CREATE BRANCH dev_o");
    const dev = await fx().session("dev_o");
    await sql(dev, "INSERT INTO c.o VALUES (2)");
    const loc = await location(["c", "o"]);
    const stray = join(fileURLToPath(loc), "data", "stray.parquet");
    writeFileSync(stray, "junk");
    age(loc);
    const dry = await s.execute("CALL system.remove_orphan_files(table => 'c.o', dry_run => true)");
    expect(dry.columns).toEqual([{ name: "orphan_file_location", type: "VARCHAR" }]);
    expect(await sql(s, "CALL system.remove_orphan_files(table => 'c.o', dry_run => true)")).toEqual([
      [expect.stringMatching(/\/data\/stray\.parquet$/)],
    ]);
    expect(existsSync(stray)).toBe(true);
    expect(await message(s, "CALL system.remove_orphan_files(table => 'c.o')")).toBe(
      "1 orphan files deleted",
    );
    expect(existsSync(stray)).toBe(false);
    expect(await sql(dev, "SELECT id FROM c.o ORDER BY id")).toEqual([[1], [2]]);
    await expect(
      s.execute(
        `CALL system.remove_orphan_files(table => 'c.o', older_than => TIMESTAMP '${new Date().toISOString()}')`,
      ),
    ).rejects.toThrow(/newer than one day/);
  });

  it("rollback_to_snapshot and set_current_snapshot move the table's main branch", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS c",
      "CREATE TABLE c.r (id INT)",
      "INSERT INTO c.r VALUES (1)",
    );
    const [one] = await first(s, `SELECT snapshot_id FROM c."r$snapshots"`);
    await sql(s, "INSERT INTO c.r VALUES (2)");
    const [two] = await first(
      s,
      `SELECT snapshot_id FROM c."r$snapshots" ORDER BY committed_at DESC LIMIT 1`,
    );
    const r = await s.execute(`CALL system.rollback_to_snapshot('c.r', ${String(one)})`);
    expect(r.columns.map((c) => c.name)).toEqual(["previous_snapshot_id", "current_snapshot_id"]);
    expect(await sql(s, "SELECT id FROM c.r")).toEqual([[1]]);
    expect(
      await sql(s, `CALL system.set_current_snapshot(table => 'c.r', snapshot_id => ${String(two)})`),
    ).toEqual([[one, two]]);
    expect(await sql(s, "SELECT id FROM c.r ORDER BY id")).toEqual([[1], [2]]);
    expect(
      await sql(s, `CALL system.rollback_to_timestamp(table => 'c.r', timestamp => TIMESTAMP '2999-01-01')`),
    ).toEqual([[two, two]]);
  });

  it("refuses bad calls in one line, committing nothing", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS c",
      "CREATE TABLE c.b (id INT)",
      "INSERT INTO c.b VALUES (1)",
    );
    const before = await commits(s);
    const refused = async (statement: string, error: string | RegExp) => {
      const e = await s.execute(statement).then(
        () => undefined,
        (x: unknown) => x as Error,
      );
      expect(e?.message).toMatch(error);
      expect(e?.message).not.toContain("\n");
    };
    await refused(
      "CALL system.nope(table => 'c.b')",
      /^Unknown procedure system.nope \(floe has: rewrite_data_files/,
    );
    await refused(
      "CALL system.expire_snapshots(table => 'c.b', keep => 1)",
      "Procedure system.expire_snapshots has no argument keep",
    );
    await refused("CALL system.expire_snapshots(table => 'c.nope')", "Table c.nope does not exist on main");
    await refused(
      "CALL system.rollback_to_snapshot(table => 'c.b')",
      "Procedure system.rollback_to_snapshot needs argument snapshot_id",
    );
    await refused(
      "CALL system.rollback_to_snapshot('c.b', 42)",
      "Cannot roll back branch main: c.b has no snapshot 42",
    );
    await refused("CALL system.rollback_to_snapshot(table => 'c.b', 42)", /expected a named argument/);
    await refused("CALL system.rollback_to_snapshot('c.b', 'x')", /snapshot_id must be a snapshot id/);
    await refused("CALL system.rewrite_data_files('c.b', 'sort')", /strategy 'sort' is not supported/);
    await refused(
      "CALL system.rewrite_data_files(table => 'c.b', where => 'lower(x) = 1')",
      /Unsupported where in system.rewrite_data_files: function lower/,
    );
    await refused(
      "CALL system.rewrite_data_files(table => 'c.b', options => map('partial-progress.enabled', 'true'))",
      /option partial-progress.enabled is not supported/,
    );
    await refused(
      "CALL system.expire_snapshots(table => 'c.b', older_than => TIMESTAMP 'yesterday-ish')",
      /older_than is not a valid timestamp/,
    );
    await refused("CALL other.expire_snapshots(table => 'c.b')", /expected \[catalog.\]system.<procedure>/);
    await refused(
      "CALL system.expire_snapshots(table => 'c.b', retain_last => 0)",
      /retain_last must be an integer of at least 1/,
    );
    expect(await commits(s)).toBe(before);
    await sql(s, "CREATE TAG t_b");
    const tag = await fx().session("t_b");
    await expect(
      tag.execute(`CALL system.rewrite_data_files(table => 'c.b', options => map('min-input-files', '1'))`),
    ).rejects.toThrow(/t_b/);
  });
});
