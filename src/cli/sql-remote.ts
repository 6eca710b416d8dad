import type { Json } from "@duckdb/node-api";
import type { SqlColumn, StatementResult } from "../engine/sql/result.ts";
import { CliError } from "./common.ts";

/** Rows read from the answer before they are handed on as one batch. */
const BATCH_ROWS = 2048;

/**
 * Runs one statement on a floe server's SQL endpoint (`POST /api/v1/sql`) and gives its answer as a
 * `StatementResult` whose rows stream from the response as they arrive (every row: `maxRows: null`).
 * `signal` aborts the request, which makes the server interrupt the statement.
 */
export async function remoteStatement(
  uri: string,
  sql: string,
  ref: string | undefined,
  signal?: AbortSignal,
): Promise<StatementResult> {
  let res: Response;
  try {
    res = await fetch(`${uri.replace(/\/+$/, "")}/api/v1/sql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql, maxRows: null, ...(ref === undefined ? {} : { ref }) }),
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal);
    throw new CliError(`cannot reach floe at ${uri}: ${(e as Error).message}`);
  }
  if (!res.ok || res.body === null) {
    const text = await res.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: the text itself
    }
    throw new CliError(message);
  }
  const lines = readLines(res.body, signal)[Symbol.asyncIterator]();
  const head = await next(lines);
  if (!("columns" in head)) throw new CliError(`unexpected answer from ${uri}: no columns`);
  // The message of a statement without rows is known at once; otherwise once the rows are read.
  let summary: Summary | undefined;
  let pending = await next(lines);
  if (!Array.isArray(pending)) summary = checkSummary(pending);
  async function* batches(): AsyncIterable<Json[][]> {
    let batch: Json[][] = [];
    while (summary === undefined) {
      if (!Array.isArray(pending)) {
        summary = checkSummary(pending);
        break;
      }
      batch.push(pending);
      if (batch.length >= BATCH_ROWS) {
        yield batch;
        batch = [];
      }
      pending = await next(lines);
    }
    if (batch.length > 0) yield batch;
  }
  return {
    columns: (head as { columns: SqlColumn[] }).columns,
    batches: batches(),
    get message() {
      return summary?.message;
    },
  };
}

interface Summary {
  readonly rows?: number;
  readonly message?: string;
  readonly error?: string;
}

function checkSummary(line: object): Summary {
  const s = line as Summary;
  if (s.error !== undefined) throw new CliError(s.error);
  return s;
}

async function next(lines: AsyncIterator<unknown>): Promise<Json[] | object> {
  const r = await lines.next();
  if (r.done) throw new CliError("the server ended the answer early");
  return r.value as Json[] | object;
}

function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error(String(r));
}

/** The JSON lines of a response body, parsed, as they arrive. */
async function* readLines(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncIterable<unknown> {
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n", start)) {
        const line = buffered.slice(start, nl);
        start = nl + 1;
        if (line !== "") yield JSON.parse(line) as unknown;
      }
      buffered = buffered.slice(start);
    }
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal);
    throw e;
  }
  buffered += decoder.decode();
  if (buffered.trim() !== "") yield JSON.parse(buffered) as unknown;
}
