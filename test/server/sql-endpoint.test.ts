import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTableBody, openIcebergApp } from "./iceberg-helpers.ts";

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

  it("reads and writes tables of nested namespaces, the same tables as the Iceberg REST API's", async () => {
    const rest = (method: "GET" | "POST", url: string, payload?: object) =>
      ctx.app.inject({ method, url: `/iceberg/v1/main${url}`, ...(payload ? { payload } : {}) });
    expect((await rest("POST", "/namespaces", { namespace: ["lake"] })).statusCode).toBe(200);
    expect((await rest("POST", "/namespaces", { namespace: ["lake", "raw"] })).statusCode).toBe(200);
    expect((await rest("POST", "/namespaces/lake%1Fraw/tables", createTableBody("events"))).statusCode).toBe(
      200,
    );
    for (const sql of [
      "INSERT INTO lake.raw.events VALUES (1, 'a'), (2, 'b')",
      "CREATE NAMESPACE lake.raw.eu",
      "CREATE TABLE lake.raw.eu.copy AS SELECT id * 10 AS id FROM lake.raw.events",
    ])
      expect((await run({ sql })).status).toBe(200);
    expect((await rest("GET", "/namespaces/lake%1Fraw%1Feu/tables/copy")).statusCode).toBe(200);
    expect(
      (
        await run({
          sql: "SELECT e.id, e.data, c.id FROM lake.raw.events e JOIN lake.raw.eu.copy c ON c.id = e.id * 10 ORDER BY 1",
        })
      ).lines,
    ).toEqual([
      '{"columns":[{"name":"id","type":"BIGINT"},{"name":"data","type":"VARCHAR"},{"name":"id","type":"BIGINT"}]}',
      '["1","a","10"]',
      '["2","b","20"]',
      '{"rows":2,"truncated":false}',
    ]);
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/sql",
      payload: { sql: "SELECT * FROM lake.raw.eu.nope" },
    });
    expect(res.statusCode).toBe(404);
    expect((JSON.parse(res.body) as { message: string }).message).toBe(
      "Table lake.raw.eu.nope does not exist on main",
    );
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
    await bad({ sql: "SELECT 1", maxRows: "10" }, 400, /maxRows/);
    await bad({ sql: "SELECT 1", timeoutMs: 0 }, 400, /"timeoutMs" must be an integer from 1 to 300000/);
    await bad({ sql: "SELECT 1", timeoutMs: 300_001 }, 400, /sql.statement-timeout-ms/);
    await bad({ sql: "SELECT 1", ref: 7 }, 400, /"ref" must be a string/);
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/sql",
      headers: { "content-type": "application/json" },
      payload: "[1, 2",
    });
    expect(res.statusCode).toBe(400);
  });

  it("streams every row with maxRows null, stops at maxRows and says truncated", async () => {
    const all = await run({ sql: "SELECT i FROM range(25000) t(i) ORDER BY i", maxRows: null });
    expect(all.lines).toHaveLength(25002);
    expect(all.lines[25000]).toBe('["24999"]');
    expect(all.lines.at(-1)).toBe('{"rows":25000,"truncated":false}');
    const cut = await run({ sql: "SELECT i FROM range(25000) t(i)", maxRows: 2048 });
    expect(cut.lines).toHaveLength(2050);
    expect(cut.lines.at(-1)).toBe('{"rows":2048,"truncated":true}');
    // the server's default (sql.max-rows: 10,000)
    expect((await run({ sql: "SELECT i FROM range(25000) t(i)" })).lines.at(-1)).toBe(
      '{"rows":10000,"truncated":true}',
    );
    expect((await run({ sql: "SELECT i FROM range(10000) t(i)" })).lines.at(-1)).toBe(
      '{"rows":10000,"truncated":false}',
    );
  });

  it("interrupts a statement that runs out of time: 408 before the first row", async () => {
    const slow = "SELECT sum(hash(range)) AS h FROM range(1000000000000000)";
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/sql",
      payload: { sql: slow, timeoutMs: 50 },
    });
    expect(res.statusCode).toBe(408);
    expect((JSON.parse(res.body) as { message: string }).message).toBe("Statement timed out after 50 ms");
    // the server still answers
    expect((await run({ sql: "SELECT 42 AS x" })).lines[1]).toBe("[42]");
  });
});

describe("POST /api/v1/sql with the server's limits from the configuration", () => {
  let small: Awaited<ReturnType<typeof openIcebergApp>>;
  beforeAll(async () => {
    small = await openIcebergApp("pglite:memory", undefined, undefined, [], {
      statementTimeoutMs: 5000,
      maxRows: 3,
    });
  });
  afterAll(() => small.close());

  it("uses sql.max-rows and sql.statement-timeout-ms as the defaults and caps", async () => {
    const post = (payload: object) => small.app.inject({ method: "POST", url: "/api/v1/sql", payload });
    const lines = (await post({ sql: "SELECT * FROM range(5)" })).body.split("\n").filter(Boolean);
    expect(lines.at(-1)).toBe('{"rows":3,"truncated":true}');
    const slow = await post({ sql: "SELECT sum(hash(range)) AS h FROM range(1000000000000000)" });
    expect(slow.statusCode).toBe(408);
    expect((await post({ sql: "SELECT 1", timeoutMs: 5001 })).statusCode).toBe(400);
  });
});
