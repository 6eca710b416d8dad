import { describe, expect, it } from "vitest";
import { useSqlCatalog, sql } from "./sql-helpers.ts";
const fixture = useSqlCatalog();
describe("tag writes", () => {
  it("repro", async () => {
    const s = await fixture().session();
    await sql(s, "CREATE NAMESPACE n", "CREATE TABLE n.t (id INT, v VARCHAR)", "INSERT INTO n.t VALUES (1, 'a')", "CREATE TAG v1");
    const hash = (await sql(s, "SELECT hash FROM floe_refs() WHERE name = 'main'").catch(() => [["?"]]));
    console.log("hash", hash);
    for (const st of [
      "USE REFERENCE v1",
      "INSERT INTO n.t VALUES (2, 'b')",
      "DELETE FROM n.t WHERE id = 1",
      "UPDATE n.t SET v = 'x'",
      "MERGE INTO n.t USING (SELECT 1 AS id) s ON n.t.id = s.id WHEN MATCHED THEN DELETE",
      "CREATE TABLE n.u (id INT)",
      "CREATE TABLE n.u AS SELECT 1 AS id",
      "ALTER TABLE n.t ADD COLUMN w INT",
      "DROP TABLE n.t",
      "DROP TABLE n.t PURGE",
      "CREATE VIEW n.vv AS SELECT 1",
      "CREATE NAMESPACE m",
      "CALL system.expire_snapshots('n.t')",
      "INSERT INTO n.t AT TAG v1 VALUES (3, 'c')",
    ]) {
      try { const r = await sql(s, st); console.log("OK", st, JSON.stringify(r)); } catch (e) { console.log("ERR", st, "=>", (e as Error).message); }
    }
  });
});
