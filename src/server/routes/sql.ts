import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { CatalogContext } from "../../catalog/context.ts";
import { badRequest } from "../../core/errors.ts";
import { splitStatements } from "../../engine/sql/lexer.ts";
import type { StatementResult } from "../../engine/sql/result.ts";
import { SqlSession } from "../../engine/sql/session.ts";
import type { ObjectStoreResolver } from "../../storage/open-object-store.ts";

/** Rows one request returns at most unless it asks for fewer (`maxRows`). */
export const SQL_MAX_ROWS = 10_000;

/**
 * `POST /api/v1/sql` `{"sql": "<one statement>", "ref": "dev", "maxRows": 100}`: runs one statement
 * in a SQL session of its own on the ref (default the default branch) and answers JSON lines:
 * `{"columns": [{name, type}…]}`, then one JSON array per row as DuckDB produces them, then
 * `{"rows": n, "truncated": bool, "message"?: "…"}` — or `{"error": "…"}` when the statement fails
 * after its first line was sent. Errors before that are the usual error bodies (400, 404, …).
 */
export function registerSqlRoute(
  app: FastifyInstance,
  deps: { readonly catalog: CatalogContext; readonly objects: ObjectStoreResolver },
): void {
  app.post("/api/v1/sql", async (request, reply) => {
    const body = request.body as { sql?: unknown; ref?: unknown; maxRows?: unknown } | null;
    if (typeof body?.sql !== "string") throw badRequest('The body needs "sql": a statement');
    if (body.ref !== undefined && typeof body.ref !== "string") throw badRequest('"ref" must be a string');
    const maxRows = body.maxRows ?? SQL_MAX_ROWS;
    if (
      typeof maxRows !== "number" ||
      !Number.isSafeInteger(maxRows) ||
      maxRows < 0 ||
      maxRows > SQL_MAX_ROWS
    )
      throw badRequest(`"maxRows" must be an integer from 0 to ${SQL_MAX_ROWS}`);
    const statements = splitStatements(body.sql);
    if (statements.length !== 1) throw badRequest(`Send one statement per request, not ${statements.length}`);
    const session = await SqlSession.open({
      catalog: deps.catalog,
      objects: deps.objects,
      ...(body.ref === undefined ? {} : { ref: body.ref }),
      author: "floe sql over HTTP",
    });
    let result: StatementResult;
    try {
      result = await session.execute(statements[0]?.sql ?? "");
    } catch (e) {
      await session.close();
      throw e;
    }
    reply.type("application/x-ndjson");
    return reply.send(Readable.from(lines(result, maxRows, session)));
  });
}

async function* lines(r: StatementResult, maxRows: number, session: SqlSession): AsyncIterable<string> {
  try {
    yield `${JSON.stringify({ columns: r.columns })}\n`;
    let n = 0;
    let truncated = false;
    for await (const batch of r.batches) {
      for (const row of batch) {
        if (n >= maxRows) {
          truncated = true;
          break;
        }
        n++;
        yield `${JSON.stringify(row)}\n`;
      }
      if (truncated) break;
    }
    yield `${JSON.stringify({ rows: n, truncated, ...(r.message === undefined ? {} : { message: r.message }) })}\n`;
  } catch (e) {
    yield `${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`;
  } finally {
    await session.close();
  }
}
