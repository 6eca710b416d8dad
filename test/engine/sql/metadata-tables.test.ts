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

describe("SQL session: files, manifests and partitions tables", () => {
  it("lists live files, manifests and partitions, at a snapshot too", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE f",
      "CREATE TABLE f.t (id INT, cat STRING, d DATE) PARTITIONED BY (cat, days(d))",
      "INSERT INTO f.t VALUES (1, 'a', DATE '2024-01-01'), (2, 'b', DATE '2024-01-02')",
    );
    const first = ((await sql(s, `SELECT snapshot_id FROM f."t$snapshots"`)) as string[][])[0]?.[0];
    await sql(s, "INSERT INTO f.t VALUES (3, 'a', DATE '2024-01-01'), (4, 'c', NULL)");
    const files = await sql(
      s,
      `SELECT content, file_format, spec_id, partition.cat, CAST(partition.d_day AS VARCHAR), record_count, file_size_in_bytes > 0, value_counts[1]
       FROM f."t$files" ORDER BY partition.cat, record_count`,
    );
    expect(files).toEqual([
      [0, "PARQUET", 0, "a", "2024-01-01", "1", true, "1"],
      [0, "PARQUET", 0, "a", "2024-01-01", "1", true, "1"],
      [0, "PARQUET", 0, "b", "2024-01-02", "1", true, "1"],
      [0, "PARQUET", 0, "c", null, "1", true, "1"],
    ]);
    expect(await sql(s, `SELECT count(*) FROM f.t$files FOR VERSION AS OF ${first}`)).toEqual([["2"]]);
    const manifests = await sql(
      s,
      `SELECT content, partition_spec_id, added_data_files_count, existing_data_files_count, deleted_data_files_count,
              length > 0, partition_summaries[1].lower_bound, partition_summaries[1].upper_bound, partition_summaries[2].contains_null
       FROM f."t$manifests" ORDER BY partition_summaries[1].upper_bound`,
    );
    expect(manifests).toEqual([
      [0, 0, 2, 0, 0, true, "a", "b", false],
      [0, 0, 2, 0, 0, true, "a", "c", true],
    ]);
    const parts = await sql(
      s,
      `SELECT partition.cat, spec_id, record_count, file_count, total_data_file_size_in_bytes > 0, last_updated_snapshot_id IS NOT NULL
       FROM f."t$partitions" ORDER BY 1`,
    );
    expect(parts).toEqual([
      ["a", 0, "2", 2, true, true],
      ["b", 0, "1", 1, true, true],
      ["c", 0, "1", 1, true, true],
    ]);
    await sql(s, "DELETE FROM f.t WHERE id = 4");
    expect(await sql(s, `SELECT count(*) FROM f."t$partitions"`)).toEqual([["2"]]);
    await expect(s.execute(`SELECT * FROM f."t$files" FOR VERSION AS OF 42`)).rejects.toThrow(
      "Cannot find snapshot 42",
    );
    await expect(s.execute(`SELECT * FROM f."t$history" FOR VERSION AS OF ${first}`)).rejects.toThrow(
      /has no time travel/,
    );
  });

  it("shows an unpartitioned table without partition columns", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS f",
      "CREATE TABLE f.u (id INT)",
      "INSERT INTO f.u VALUES (1), (2)",
    );
    expect(await sql(s, `SELECT * FROM f."u$partitions"`)).toEqual([
      ["2", 1, expect.any(String), "0", 0, "0", 0, expect.any(String), expect.any(String)],
    ]);
    expect(await sql(s, `SELECT count(*) FROM f."u$files" WHERE content = 0`)).toEqual([["1"]]);
    await sql(s, "CREATE TABLE f.e (id INT)");
    expect(await sql(s, `SELECT count(*) FROM f."e$files"`)).toEqual([["0"]]);
    expect(await sql(s, `SELECT count(*) FROM f."e$manifests"`)).toEqual([["0"]]);
  });
});
