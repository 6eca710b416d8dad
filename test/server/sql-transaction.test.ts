import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openIcebergApp } from "./iceberg-helpers.ts";

let ctx: Awaited<ReturnType<typeof openIcebergApp>>;
beforeAll(async () => {
  ctx = await openIcebergApp("pglite:memory");
});
afterAll(() => ctx.close());

const run = async (sql: string) => {
  const res = await ctx.app.inject({ method: "POST", url: "/api/v1/sql", payload: { sql } });
  return { status: res.statusCode, lines: res.body.split("\n").filter(Boolean) };
};
const head = async () =>
  (await ctx.app.inject({ url: "/api/v2/trees/main/history?limit=1" })).json<{
    logEntries: { commitMeta: { hash: string } }[];
  }>().logEntries[0]?.commitMeta.hash;

describe("POST /api/v1/sql: transactions", () => {
  it("runs BEGIN; …; COMMIT sent in one request as one commit; refuses a lone BEGIN or COMMIT", async () => {
    for (const sql of [
      "CREATE NAMESPACE h",
      "CREATE TABLE h.a (id INT)",
      "CREATE TABLE h.b (id INT)",
      "INSERT INTO h.a VALUES (1)",
    ])
      expect((await run(sql)).status).toBe(200);
    const before = await head();
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(
      await run(
        "BEGIN; INSERT INTO h.a VALUES (2); UPDATE h.a SET id = id * 10; INSERT INTO h.b SELECT * FROM h.a; COMMIT",
      ),
    ).toEqual({
      status: 200,
      lines: [
        '{"columns":[]}',
        JSON.stringify({
          rows: 0,
          truncated: false,
          message:
            "Transaction started on main\nInserted 1 rows into h.a\nUpdated 2 rows in h.a\nInserted 2 rows into h.b\n" +
            "Committed 2 tables (h.a, h.b) in one commit on main",
        }),
      ],
    });
    const log = (await ctx.app.inject({ url: `/api/v2/trees/main/history?limit=2` })).json<{
      logEntries: { commitMeta: { message: string; hash: string } }[];
    }>();
    expect(log.logEntries[0]?.commitMeta.message).toBe("SQL transaction: Iceberg commit to h.a, h.b");
    expect(log.logEntries[1]?.commitMeta.hash).toBe(before); // one commit for the whole transaction
    expect((await run("SELECT id FROM h.b ORDER BY id")).lines.slice(1, 3)).toEqual(["[10]", "[20]"]);

    const after = await head();
    expect(before).not.toBe(after);
    expect((await run("BEGIN; DELETE FROM h.a; ROLLBACK")).status).toBe(200);
    const failed = await run("START TRANSACTION; DELETE FROM h.a; UPDATE h.b SET nope = 1; COMMIT");
    expect(failed.status).toBe(400);
    expect(failed.lines.join("")).toMatch(
      /Table h\.b has no column nope \(the transaction was rolled back\)/,
    );
    expect(await head()).toBe(after);
    for (const sql of ["BEGIN", "COMMIT", "ROLLBACK"]) {
      const r = await run(sql);
      expect(r.status).toBe(400);
      expect(r.lines.join("")).toMatch(
        /A transaction over HTTP is one request: send BEGIN; …; COMMIT together/,
      );
    }
    const two = await run("BEGIN; SELECT 1");
    expect(two.status).toBe(400);
    expect(two.lines.join("")).toMatch(/one statement per request, not 2/);
    expect(await head()).toBe(after);
    expect((await run("SELECT count(*) FROM h.a")).lines[1]).toBe('["2"]');
  });
});
