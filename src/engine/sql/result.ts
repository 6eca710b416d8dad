import type { Json } from "@duckdb/node-api";

/** A column of a statement's result: its name and DuckDB type. */
export interface SqlColumn {
  readonly name: string;
  readonly type: string;
}

/**
 * What a statement returns: rows, streamed in batches (values as JSON: 64-bit integers and
 * decimals as strings), and for statements that change something, a one-line message.
 */
export interface StatementResult {
  readonly columns: readonly SqlColumn[];
  readonly batches: AsyncIterable<Json[][]>;
  readonly message?: string;
}

async function* once(rows: Json[][]): AsyncIterable<Json[][]> {
  if (rows.length > 0) yield rows;
}

/** A result computed in floe (references, log, …): all its rows at once. */
export function rowsResult(columns: readonly SqlColumn[], rows: Json[][], message?: string): StatementResult {
  return { columns, batches: once(rows), ...(message === undefined ? {} : { message }) };
}

/** A statement that returns no rows, only what it did. */
export const messageResult = (message: string): StatementResult => rowsResult([], [], message);

/** Every row of a result (for tests and small results). */
export async function allRows(r: StatementResult): Promise<Json[][]> {
  const out: Json[][] = [];
  for await (const batch of r.batches) out.push(...batch);
  return out;
}
