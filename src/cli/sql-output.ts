import type { Json } from "@duckdb/node-api";
import type { StatementResult } from "../engine/sql/result.ts";
import { table } from "./output.ts";

/** How `floe sql` prints rows: an aligned table for people, CSV or JSON lines for programs. */
export type SqlFormat = "table" | "csv" | "json";
export const SQL_FORMATS: readonly SqlFormat[] = ["table", "csv", "json"];

const text = (v: Json): string =>
  v === null ? "NULL" : typeof v === "object" ? JSON.stringify(v) : String(v);

const csvField = (v: Json): string => {
  if (v === null) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * Writes a result's rows to `out` as they arrive (CSV and JSON lines stream; an aligned table needs
 * every row for its widths) and its message, if any, to `err`. Returns the number of rows.
 */
export async function writeResult(
  r: StatementResult,
  format: SqlFormat,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const names = r.columns.map((c) => c.name);
  let n = 0;
  if (format === "table") {
    const rows: string[][] = [];
    for await (const batch of r.batches) for (const row of batch) rows.push(row.map(text));
    n = rows.length;
    if (names.length > 0) {
      for (const line of table(names, rows)) out(`${line}\n`);
      out(`(${n} ${n === 1 ? "row" : "rows"})\n`);
    }
  } else {
    if (format === "csv" && names.length > 0) out(`${names.map(csvField).join(",")}\n`);
    for await (const batch of r.batches)
      for (const row of batch) {
        n++;
        if (format === "csv") out(`${row.map(csvField).join(",")}\n`);
        else out(`${JSON.stringify(Object.fromEntries(names.map((name, i) => [name, row[i] ?? null])))}\n`);
      }
  }
  if (r.message !== undefined) err(`${r.message}\n`);
  return n;
}
