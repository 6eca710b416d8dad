import { describe, expect, it } from "vitest";
import { sql, useSqlCatalog } from "./sql-helpers.ts";

const fx = useSqlCatalog();

describe("SQL session: metadata tables", () => {
  it("lists a table's snapshots, history and refs", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE m",
      "CREATE TABLE m.t (id INT)",
      "INSERT INTO m.t VALUES (1)",
      "INSERT INTO m.t VALUES (2), (3)",
    );
    const snaps = (await sql(
      s,
      `SELECT snapshot_id, parent_id, operation, summary['added-records'] FROM m."t$snapshots" ORDER BY committed_at`,
    )) as string[][];
    expect(snaps.map((r) => [r[2], r[3]])).toEqual([
      ["append", "1"],
      ["append", "2"],
    ]);
    expect(snaps[1]?.[1]).toBe(snaps[0]?.[0]);
    expect(await sql(s, `SELECT count(*), bool_and(is_current_ancestor) FROM m.t$history`)).toEqual([
      ["2", true],
    ]);
    expect(await sql(s, `SELECT name, type, snapshot_id FROM m."t$refs"`)).toEqual([
      ["main", "BRANCH", snaps[1]?.[0]],
    ]);
  });
});
