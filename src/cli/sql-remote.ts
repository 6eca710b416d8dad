import type { Json } from "@duckdb/node-api";
import type { SqlColumn, StatementResult } from "../engine/sql/result.ts";
import { CliError } from "./common.ts";

/**
 * Runs one statement on a floe server's SQL endpoint (`POST /api/v1/sql`) and gives its answer as a
 * `StatementResult`. The answer is read whole: the endpoint returns at most 10,000 rows.
 */
export async function remoteStatement(
  uri: string,
  sql: string,
  ref: string | undefined,
): Promise<StatementResult> {
  let res: Response;
  try {
    res = await fetch(`${uri.replace(/\/+$/, "")}/api/v1/sql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql, ...(ref === undefined ? {} : { ref }) }),
    });
  } catch (e) {
    throw new CliError(`cannot reach floe at ${uri}: ${(e as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: the text itself
    }
    throw new CliError(message);
  }
  const lines = text.split("\n").filter((l) => l !== "");
  const head = JSON.parse(lines[0] ?? "{}") as { columns?: SqlColumn[] };
  const last = JSON.parse(lines[lines.length - 1] ?? "{}") as {
    error?: string;
    message?: string;
    truncated?: boolean;
  };
  if (last.error !== undefined) throw new CliError(last.error);
  const rows = lines.slice(1, -1).map((l) => JSON.parse(l) as Json[]);
  async function* batches(): AsyncIterable<Json[][]> {
    if (rows.length > 0) yield rows;
  }
  const note = last.truncated ? "(truncated: the server returns at most 10,000 rows)" : undefined;
  const message = [last.message, note].filter((m) => m !== undefined).join("\n");
  return { columns: head.columns ?? [], batches: batches(), ...(message === "" ? {} : { message }) };
}
