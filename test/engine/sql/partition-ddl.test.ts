import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadTable } from "../../../src/catalog/tables.ts";
import { transformToString } from "../../../src/iceberg/transforms.ts";
import { message, sql, useSqlCatalog } from "./sql-helpers.ts";

const fx = useSqlCatalog();

const spec = async (table: string[]) => {
  const { metadata: m } = await loadTable(fx().catalog, "main", table);
  const s = m.partitionSpecs.find((x) => x.specId === m.defaultSpecId);
  return {
    specId: m.defaultSpecId,
    fields: s?.fields.map((f) => `${f.fieldId}:${f.name}:${transformToString(f.transform)}`),
  };
};

const commits = async () => (await sql(await fx().session(), "SHOW LOG")).length;

describe("SQL session: partition evolution and write order", () => {
  it("adds, drops and replaces partition fields; old files keep their spec", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE p",
      "CREATE TABLE p.t (id BIGINT, ts TIMESTAMP, s STRING) PARTITIONED BY (days(ts))",
      "INSERT INTO p.t VALUES (1, TIMESTAMP '2024-01-01 10:00:00', 'a')",
    );
    expect(await message(s, "ALTER TABLE p.t ADD PARTITION FIELD bucket(4, id) AS shard")).toBe(
      "Altered table p.t",
    );
    await sql(s, "ALTER TABLE p.t ADD PARTITION FIELD truncate(s, 2)");
    expect(await spec(["p", "t"])).toEqual({
      specId: 2,
      fields: ["1000:ts_day:day", "1001:shard:bucket[4]", "1002:s_trunc_2:truncate[2]"],
    });
    await sql(s, "INSERT INTO p.t VALUES (2, TIMESTAMP '2024-01-02 10:00:00', 'bb')");
    expect(
      await sql(s, `SELECT spec_id, partition.shard IS NOT NULL FROM p."t$files" ORDER BY spec_id`),
    ).toEqual([
      [0, false],
      [2, true],
    ]);
    await sql(
      s,
      "ALTER TABLE p.t DROP PARTITION FIELD shard",
      "ALTER TABLE p.t REPLACE PARTITION FIELD days(ts) WITH hours(ts)",
      "ALTER TABLE p.t DROP PARTITION FIELD truncate(2, s)",
    );
    expect(await spec(["p", "t"])).toEqual({ specId: 5, fields: ["1003:ts_hour:hour"] });
    await sql(s, "INSERT INTO p.t VALUES (3, TIMESTAMP '2024-01-03 10:00:00', 'c')");
    expect(await sql(s, "SELECT id, s FROM p.t ORDER BY id")).toEqual([
      ["1", "a"],
      ["2", "bb"],
      ["3", "c"],
    ]);
    expect(await sql(s, `SELECT spec_id, record_count FROM p."t$partitions" ORDER BY spec_id`)).toEqual([
      [0, "1"],
      [2, "1"],
      [5, "1"],
    ]);
    // re-adding a dropped field reuses its field id, as Java does
    await sql(s, "ALTER TABLE p.t ADD PARTITION FIELD bucket(4, id) AS shard");
    expect((await spec(["p", "t"])).fields).toEqual(["1003:ts_hour:hour", "1001:shard:bucket[4]"]);
  });

  it("keeps dropped fields of a v1 table as void", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS p",
      "CREATE TABLE p.v1 (id INT, d DATE) PARTITIONED BY (d) TBLPROPERTIES ('format-version' = '1')",
      "ALTER TABLE p.v1 DROP PARTITION FIELD d",
      "ALTER TABLE p.v1 ADD PARTITION FIELD months(d)",
    );
    expect(await spec(["p", "v1"])).toEqual({ specId: 2, fields: ["1000:d:void", "1001:d_month:month"] });
    await sql(s, "INSERT INTO p.v1 VALUES (1, DATE '2024-03-01')");
    expect(await sql(s, `SELECT partition.d_month FROM p."v1$files"`)).toEqual([[650]]);
  });

  it("sets the write order and distribution mode", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS p",
      "CREATE TABLE p.o (id INT, name STRING)",
      "ALTER TABLE p.o WRITE ORDERED BY name DESC NULLS FIRST, bucket(8, id)",
      "INSERT INTO p.o VALUES (1, 'a'), (2, 'c'), (3, NULL), (4, 'b')",
    );
    let { metadata: m } = await loadTable(fx().catalog, "main", ["p", "o"]);
    const order = m.sortOrders.find((o) => o.orderId === m.defaultSortOrderId);
    expect(
      order?.fields.map((f) => [f.sourceId, transformToString(f.transform), f.direction, f.nullOrder]),
    ).toEqual([
      [2, "identity", "desc", "nulls-first"],
      [1, "bucket[8]", "asc", "nulls-first"],
    ]);
    expect(m.properties["write.distribution-mode"]).toBe("range");
    const files = (await sql(s, `SELECT file_path, sort_order_id FROM p."o$files"`)) as [string, number][];
    const [path, orderId] = files[0] ?? [];
    expect(orderId).toBe(m.defaultSortOrderId);
    expect(await sql(s, `SELECT name FROM read_parquet('${fileURLToPath(String(path))}')`)).toEqual([
      [null],
      ["c"],
      ["b"],
      ["a"],
    ]);
    await sql(s, "ALTER TABLE p.o WRITE UNORDERED");
    ({ metadata: m } = await loadTable(fx().catalog, "main", ["p", "o"]));
    expect(m.defaultSortOrderId).toBe(0);
    await sql(s, "ALTER TABLE p.o WRITE DISTRIBUTED BY PARTITION LOCALLY ORDERED BY id");
    ({ metadata: m } = await loadTable(fx().catalog, "main", ["p", "o"]));
    expect(m.properties["write.distribution-mode"]).toBe("hash");
    expect(m.defaultSortOrderId).toBe(2);
  });

  it("widens column types and sets properties", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS p",
      "CREATE TABLE p.w (i INT, f FLOAT, d DECIMAL(10, 2))",
      "INSERT INTO p.w VALUES (1, 1.5, 12.34)",
      "ALTER TABLE p.w ALTER COLUMN i TYPE BIGINT",
      "ALTER TABLE p.w ALTER COLUMN f TYPE DOUBLE",
      "ALTER TABLE p.w ALTER COLUMN d TYPE DECIMAL(18, 2)",
      "ALTER TABLE p.w SET TBLPROPERTIES ('write.delete.mode' = 'merge-on-read')",
      "INSERT INTO p.w VALUES (9007199254740993, 2.25, 1234567890123456.78)",
    );
    expect(await sql(s, "SELECT * FROM p.w ORDER BY i")).toEqual([
      ["1", 1.5, "12.34"],
      ["9007199254740993", 2.25, "1234567890123456.78"],
    ]);
    const { metadata: m } = await loadTable(fx().catalog, "main", ["p", "w"]);
    expect(m.properties["write.delete.mode"]).toBe("merge-on-read");
    await expect(s.execute("ALTER TABLE p.w ALTER COLUMN d TYPE DECIMAL(18, 3)")).rejects.toThrow(
      /not an allowed type promotion/,
    );
    await expect(s.execute("ALTER TABLE p.w ALTER COLUMN i TYPE INT")).rejects.toThrow(
      /not an allowed type promotion/,
    );
  });

  it("refuses bad partition changes in one line, committing nothing", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE IF NOT EXISTS p",
      "CREATE TABLE p.b (id INT, ts TIMESTAMP) PARTITIONED BY (days(ts))",
    );
    const before = await commits();
    const refused = async (statement: string, error: string | RegExp) => {
      await expect(s.execute(statement)).rejects.toThrow(error);
    };
    await refused(
      "ALTER TABLE p.b ADD PARTITION FIELD bucket(4, nope)",
      "Cannot use bucket[4](nope) on p.b: no column nope",
    );
    await refused("ALTER TABLE p.b DROP PARTITION FIELD nope", "Cannot find partition field nope in p.b");
    await refused(
      "ALTER TABLE p.b DROP PARTITION FIELD bucket(2, id)",
      "Cannot find partition field bucket[2](id) in p.b",
    );
    await refused("ALTER TABLE p.b ADD PARTITION FIELD days(ts)", /already a partition field/);
    await refused("ALTER TABLE p.b ADD PARTITION FIELD hours(ts)", /redundant with partition field ts_day/);
    await refused("ALTER TABLE p.b ADD PARTITION FIELD id AS ts_day", /a partition field has that name/);
    await refused(
      "ALTER TABLE p.b ADD PARTITION FIELD bucket(4, id) AS ts",
      /conflicts with schema column ts/,
    );
    await refused("ALTER TABLE p.b ADD PARTITION FIELD fancy(id)", "unknown partition transform 'fancy'");
    await refused("ALTER TABLE p.nope ADD PARTITION FIELD id", /p\.nope/);
    await refused("ALTER TABLE p.b WRITE ORDERED BY nope", /no column nope/);
    expect(await commits()).toBe(before);
  });
});
