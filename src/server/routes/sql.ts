import { Readable } from "node:stream";
import type { Json } from "@duckdb/node-api";
import type { FastifyInstance } from "fastify";
import type { CatalogContext } from "../../catalog/context.ts";
import { DEFAULTS } from "../../core/config.ts";
import { badRequest, FloeError } from "../../core/errors.ts";
import { splitStatements } from "../../engine/sql/lexer.ts";
import { allRows, type SqlColumn, type StatementResult } from "../../engine/sql/result.ts";
import { SqlSession } from "../../engine/sql/session.ts";
import { isTransactionBlock, isTransactionStatement } from "../../engine/sql/transaction.ts";
import type { EngineFiles } from "../../engine/duck-files.ts";
import type { ObjectStoreResolver } from "../../storage/open-object-store.ts";
import { statusOf, toFloeError } from "../error-map.ts";

/** The server's defaults for `POST /api/v1/sql` (settings `sql.statement-timeout-ms`, `sql.max-rows`). */
export interface SqlLimits {
  /** A statement's time limit in ms unless the request asks for less; 0 = none. */
  readonly statementTimeoutMs: number;
  /** Rows an answer holds when the request names no `maxRows`. */
  readonly maxRows: number;
}

const DEFAULT_SQL_LIMITS: SqlLimits = {
  statementTimeoutMs: DEFAULTS["sql.statement-timeout-ms"],
  maxRows: DEFAULTS["sql.max-rows"],
};

interface SqlRequest {
  /** One statement, or a whole transaction (BEGIN; …; COMMIT), run in one session. */
  readonly sql: readonly string[];
  readonly ref?: string;
  /** undefined = no limit. */
  readonly maxRows?: number;
  /** 0 = none. */
  readonly timeoutMs: number;
}

/**
 * `POST /api/v1/sql` `{"sql": "<one statement>", "ref"?: "dev", "maxRows"?: 100, "timeoutMs"?: 5000}`:
 * runs one statement in a SQL session of its own on the ref (default the default branch) and
 * streams JSON lines: `{"columns": [{name, type}…]}`, one JSON array per row as DuckDB produces
 * them, then `{"rows": n, "truncated": bool, "message"?: "…"}`. Errors until the first rows are
 * ready are the usual error bodies (400, 404, 408 for the time limit, …); once lines are sent, a
 * failure ends the answer with `{"error": "…", "status": 408|…}`. The statement is interrupted when
 * its time runs out or the client goes away.
 */
export function registerSqlRoute(
  app: FastifyInstance,
  deps: {
    readonly catalog: CatalogContext;
    readonly objects: ObjectStoreResolver;
    readonly limits?: SqlLimits;
    readonly files?: EngineFiles;
  },
): void {
  const limits = deps.limits ?? DEFAULT_SQL_LIMITS;
  app.post("/api/v1/sql", async (request, reply) => {
    const req = readRequest(request.body, limits);
    const abort = new AbortController();
    const timer =
      req.timeoutMs > 0
        ? setTimeout(
            () => abort.abort(new FloeError("TIMEOUT", `Statement timed out after ${req.timeoutMs} ms`)),
            req.timeoutMs,
          )
        : undefined;
    // The client went away before the answer ended: stop the statement.
    reply.raw.on("close", () => {
      if (!reply.raw.writableFinished) abort.abort(new Error("the client closed the connection"));
    });
    let session: SqlSession | undefined;
    const done = async () => {
      clearTimeout(timer);
      await session?.close();
    };
    let head: {
      columns: readonly SqlColumn[];
      message?: string;
      rows: AsyncIterator<Json[][]>;
      first: Json[][];
    };
    try {
      session = await SqlSession.open({
        catalog: deps.catalog,
        objects: deps.objects,
        ...(deps.files ? { files: deps.files } : {}),
        ...(req.ref === undefined ? {} : { ref: req.ref }),
        author: "floe sql over HTTP",
      });
      const result = await runAll(session, req.sql, abort.signal);
      // The first rows before the status: a statement that fails or times out before it has any
      // answers with an error status.
      const rows = result.batches[Symbol.asyncIterator]();
      const first = await rows.next();
      head = {
        columns: result.columns,
        ...(result.message === undefined ? {} : { message: result.message }),
        rows,
        first: first.done ? [] : first.value,
      };
    } catch (e) {
      await done();
      throw e;
    }
    reply.type("application/x-ndjson");
    return reply.send(Readable.from(lines(head, req.maxRows, done)));
  });
}

function readRequest(raw: unknown, limits: SqlLimits): SqlRequest {
  const body = raw as { sql?: unknown; ref?: unknown; maxRows?: unknown; timeoutMs?: unknown } | null;
  if (typeof body !== "object" || body === null || typeof body.sql !== "string")
    throw badRequest('The body needs "sql": a statement');
  if (body.ref !== undefined && typeof body.ref !== "string") throw badRequest('"ref" must be a string');
  const maxRows = body.maxRows === undefined ? limits.maxRows : body.maxRows;
  if (maxRows !== null && !(Number.isSafeInteger(maxRows) && (maxRows as number) >= 0))
    throw badRequest('"maxRows" must be an integer, 0 or more, or null for every row');
  const cap = limits.statementTimeoutMs;
  const timeoutMs = body.timeoutMs ?? cap;
  if (
    body.timeoutMs !== undefined &&
    !(
      Number.isSafeInteger(timeoutMs) &&
      (timeoutMs as number) >= 1 &&
      (cap === 0 || (timeoutMs as number) <= cap)
    )
  )
    throw badRequest(
      cap > 0
        ? `"timeoutMs" must be an integer from 1 to ${cap} (the server's sql.statement-timeout-ms)`
        : '"timeoutMs" must be an integer, 1 or more',
    );
  const statements = splitStatements(body.sql).map((x) => x.sql);
  if (statements.length !== 1 && !isTransactionBlock(statements))
    throw badRequest(
      `Send one statement per request, not ${statements.length} (or one whole transaction: BEGIN; …; COMMIT)`,
    );
  if (statements.length === 1 && isTransactionStatement(statements[0] ?? ""))
    throw badRequest(
      "A transaction over HTTP is one request: send BEGIN; …; COMMIT together (each request is a session of its own)",
    );
  return {
    sql: statements,
    ...(body.ref === undefined ? {} : { ref: body.ref }),
    ...(maxRows === null ? {} : { maxRows: maxRows as number }),
    timeoutMs: timeoutMs as number,
  };
}

/**
 * Runs the statements in order; the answer is the last one's, its message preceded by the others'
 * (the rows of queries inside a transaction are not returned).
 */
async function runAll(
  session: SqlSession,
  statements: readonly string[],
  signal: AbortSignal,
): Promise<StatementResult> {
  const messages: string[] = [];
  for (const sql of statements.slice(0, -1)) {
    const r = await session.execute(sql, { signal });
    await allRows(r);
    if (r.message !== undefined) messages.push(r.message);
  }
  const last = await session.execute(statements[statements.length - 1] ?? "", { signal });
  if (messages.length === 0) return last;
  return {
    ...last,
    message: [...messages, ...(last.message === undefined ? [] : [last.message])].join("\n"),
  };
}

async function* lines(
  head: { columns: readonly SqlColumn[]; message?: string; rows: AsyncIterator<Json[][]>; first: Json[][] },
  maxRows: number | undefined,
  done: () => Promise<void>,
): AsyncIterable<string> {
  try {
    yield `${JSON.stringify({ columns: head.columns })}\n`;
    let n = 0;
    let truncated = false;
    let batch: Json[][] | undefined = head.first;
    while (batch !== undefined) {
      const take = maxRows === undefined ? batch.length : Math.min(batch.length, maxRows - n);
      if (take > 0)
        yield batch
          .slice(0, take)
          .map((row) => `${JSON.stringify(row)}\n`)
          .join("");
      n += take;
      if (take < batch.length) {
        truncated = true;
        break;
      }
      const next = await head.rows.next();
      batch = next.done ? undefined : next.value;
    }
    if (truncated) await head.rows.return?.();
    yield `${JSON.stringify({ rows: n, truncated, ...(head.message === undefined ? {} : { message: head.message }) })}\n`;
  } catch (e) {
    const err = toFloeError(e);
    yield `${JSON.stringify({ error: err.message, status: statusOf(err) })}\n`;
  } finally {
    await done();
  }
}
