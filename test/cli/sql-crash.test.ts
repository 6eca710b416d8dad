import { existsSync, mkdtempSync, readdirSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { killLeftovers, launchFloe, runFloe } from "./floe-process.ts";

afterAll(killLeftovers);

const parquetFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith(".parquet"))
        .map((e) => join(e.parentPath, e.name))
    : [];

describe("floe sql killed in the middle of a write", () => {
  it("SIGKILL during a large INSERT leaves the table at its previous snapshot with the same rows", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-sql-crash-"));
    const warehouse = join(cwd, ".floe", "warehouse");
    const setup = await runFloe(
      [
        "sql",
        "-e",
        `CREATE NAMESPACE k;
         CREATE TABLE k.big (id BIGINT, s STRING) TBLPROPERTIES ('write.target-file-size-bytes' = '262144');
         INSERT INTO k.big VALUES (1, 'a'), (2, 'b')`,
      ],
      { cwd },
    );
    expect(setup.code, setup.stderr).toBe(0);
    const state = [
      "SHOW LOG",
      'SELECT snapshot_id FROM k."big$snapshots"',
      "SELECT id, s FROM k.big ORDER BY id",
    ];
    const read = async () => {
      const r = await runFloe(["sql", "--format", "csv", "-e", state.join(";\n")], { cwd });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const before = await read();
    const existing = new Set(parquetFiles(warehouse));
    expect(existing.size).toBe(1);

    // The INSERT writes many data files before its one commit; it is killed when the first appears.
    const watcher = watch(warehouse, { recursive: true });
    const firstNewFile = new Promise<void>((resolve) => {
      watcher.on("change", () => {
        if (parquetFiles(warehouse).some((f) => !existing.has(f))) resolve();
      });
    });
    const insert = launchFloe(
      ["sql", "-e", "INSERT INTO k.big SELECT range, md5(range::VARCHAR) FROM range(3, 4000000)"],
      { cwd },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      insert.child.on("exit", (_code, signal) => resolve(signal)),
    );
    await Promise.race([firstNewFile, exited]);
    watcher.close();
    insert.child.kill("SIGKILL");
    expect(await exited, insert.output().stderr).toBe("SIGKILL"); // killed, not finished
    expect(insert.output().stderr).not.toMatch(/Inserted/);

    // Same commit, same snapshot, same rows; the catalog opens again after the kill.
    expect(await read()).toBe(before);
    const after = await runFloe(["sql", "-e", "INSERT INTO k.big VALUES (3, 'c')"], { cwd });
    expect(after).toMatchObject({ code: 0, stderr: "Inserted 1 rows into k.big\n" });
  }, 600_000);
});
