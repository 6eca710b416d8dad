import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openIcebergApp } from "./iceberg-helpers.ts";

let ctx: Awaited<ReturnType<typeof openIcebergApp>>;
beforeAll(async () => {
  ctx = await openIcebergApp("pglite:memory");
});
afterAll(() => ctx.close());

const run = async (body: unknown) => {
  const res = await ctx.app.inject({ method: "POST", url: "/api/v1/sql", payload: body as object });
  return {
    status: res.statusCode,
    type: res.headers["content-type"],
    lines: res.body.split("\n").filter(Boolean),
  };
};

describe("POST /api/v1/sql", () => {
  it("runs one statement on a ref and streams JSON lines, with a row limit", async () => {
    for (const sql of [
      "CREATE NAMESPACE web",
      "CREATE TABLE web.t (id INT, v STRING)",
      "INSERT INTO web.t VALUES (1, 'a'), (2, 'b'), (3, 'c')",
      "CREATE BRANCH dev",
    ])
      expect((await run({ sql })).status).toBe(200);
    expect(await run({ sql: "INSERT INTO web.t VALUES (4, 'd')", ref: "dev" })).toMatchObject({
      status: 200,
      lines: ['{"columns":[]}', '{"rows":0,"truncated":false,"message":"Inserted 1 rows into web.t"}'],
    });
    const r = await run({ sql: "SELECT id, v FROM web.t ORDER BY id", ref: "dev", maxRows: 2 });
    expect(r).toMatchObject({ status: 200, type: "application/x-ndjson" });
    expect(r.lines).toEqual([
      '{"columns":[{"name":"id","type":"INTEGER"},{"name":"v","type":"VARCHAR"}]}',
      '[1,"a"]',
      '[2,"b"]',
      '{"rows":2,"truncated":true}',
    ]);
    expect((await run({ sql: "SELECT count(*) AS n FROM web.t" })).lines[1]).toBe('["3"]');
  });

  it("answers bad requests with 4xx and one message", async () => {
    const bad = async (body: unknown, status: number, message: RegExp) => {
      const res = await ctx.app.inject({ method: "POST", url: "/api/v1/sql", payload: body as object });
      expect(res.statusCode).toBe(status);
      expect((JSON.parse(res.body) as { message: string }).message).toMatch(message);
    };
    await bad({}, 400, /needs "sql"/);
    await bad({ sql: "SELECT 1; SELECT 2" }, 400, /one statement per request, not 2/);
    await bad({ sql: "SELEC 1" }, 400, /Syntax error/);
    await bad({ sql: "SELECT * FROM web.nope" }, 404, /Table web.nope does not exist on main/);
    await bad({ sql: "SELECT 1", ref: "nope" }, 404, /nope/);
    await bad({ sql: "SELECT 1", maxRows: -1 }, 400, /maxRows/);
  });
});
