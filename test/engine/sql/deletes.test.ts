import { describe, expect, it } from "vitest";
import { loadTable, registerTable } from "../../../src/catalog/tables.ts";
import { deleteRows } from "../../../src/engine/delete-rows.ts";
import { eq } from "../../../src/iceberg/expressions/expression.ts";
import { sql, useSqlCatalog } from "./sql-helpers.ts";

const fx = useSqlCatalog();

describe("SQL session: tables with row-level deletes", () => {
  it("reads a merge-on-read table with its position deletes applied, and the snapshot before them", async () => {
    const s = await fx().session();
    await sql(
      s,
      "CREATE NAMESPACE d",
      "CREATE TABLE d.t (id INT, v STRING) TBLPROPERTIES ('write.delete.mode' = 'merge-on-read')",
      "INSERT INTO d.t VALUES (1, 'a'), (2, 'b'), (3, 'c')",
    );
    const { metadataLocation, metadata } = await loadTable(fx().catalog, "main", ["d", "t"]);
    const before = metadata.currentSnapshotId;
    // Delete through the engine's row-level producer, then point the catalog at the result.
    const duck = (await import("@duckdb/node-api")).DuckDBInstance;
    const instance = await duck.create(":memory:");
    const conn = await instance.connect();
    const change = await deleteRows({
      duck: conn,
      store: fx().objects.storeFor(metadataLocation),
      table: { location: metadataLocation, metadata },
      filter: eq("id", 2),
    });
    conn.closeSync();
    instance.closeSync();
    expect(change.mode).toBe("merge-on-read");
    await registerTable(fx().catalog, "main", ["d", "t"], change.table.location, {
      overwrite: true,
      meta: (message) => ({ message }),
    });
    expect(await sql(s, "SELECT id, v FROM d.t ORDER BY id")).toEqual([
      [1, "a"],
      [3, "c"],
    ]);
    expect(await sql(s, `SELECT count(*) FROM d.t FOR VERSION AS OF ${before}`)).toEqual([["3"]]);
    await sql(s, "INSERT INTO d.t VALUES (4, 'd')");
    expect(await sql(s, "SELECT id FROM d.t ORDER BY id")).toEqual([[1], [3], [4]]);
  });
});
