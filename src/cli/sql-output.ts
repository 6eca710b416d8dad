import type { Json } from "@duckdb/node-api";
import type { StatementResult } from "../engine/sql/result.ts";
import { table } from "./output.ts";

/**
 * How `floe sql` prints rows: an aligned table for people, CSV or JSON lines for programs, or a
 * Parquet file (written by DuckDB itself, `SqlSession.copyTo`).
 */
export type SqlFormat = "table" | "csv" | "json" | "parquet";
export const SQL_FORMATS: readonly SqlFormat[] = ["table", "csv", "json", "parquet"];
export type TextFormat = Exclude<SqlFormat, "parquet">;

/** Rows an aligned table reads before it fixes its column widths; later rows are printed as they come. */
export const TABLE_SAMPLE_ROWS = 1000;

/** Bytes gathered before they are written. */
const CHUNK = 64 * 1024;

/**
 * Text written to a stream in chunks, waiting while the stream is full (a slow pipe, a terminal),
 * so that memory stays bounded by the chunk and a batch of rows, not by the result.
 */
export class TextSink {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  async write(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.parts.join("");
    this.parts = [];
    this.size = 0;
    if (this.stream.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("close", done);
        this.stream.off("error", done);
        resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("close", done);
      this.stream.on("error", done);
    });
  }
}

const text = (v: Json): string =>
  v === null ? "NULL" : typeof v === "object" ? JSON.stringify(v) : String(v);

const csvField = (v: Json): string => {
  if (v === null) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const cells = (s: string): number => [...s].length;

/**
 * Writes a result's rows to `out` as they arrive, and its message, if any, to `err`. CSV and JSON
 * lines stream row by row; an aligned table reads up to `TABLE_SAMPLE_ROWS` rows to size its
 * columns, then streams the rest in those widths. Returns the number of rows.
 */
export async function writeResult(
  r: StatementResult,
  format: TextFormat,
  out: TextSink,
  err: (s: string) => void,
): Promise<number> {
  const names = r.columns.map((c) => c.name);
  let n = 0;
  if (format === "table") {
    let sample: string[][] | undefined = [];
    let widths: number[] = [];
    const line = (row: readonly string[]) =>
      row
        .map((cell, i) =>
          i === row.length - 1 ? cell : cell + " ".repeat(Math.max(0, (widths[i] ?? 0) - cells(cell))),
        )
        .join("  ")
        .trimEnd();
    const startStreaming = async (rows: string[][]) => {
      const all = table(names, rows);
      widths = names.map((_, i) => Math.max(...[names, ...rows].map((row) => cells(row[i] ?? ""))));
      for (const l of all) await out.write(`${l}\n`);
    };
    for await (const batch of r.batches)
      for (const row of batch) {
        n++;
        const cellsOfRow = row.map(text);
        if (sample === undefined) await out.write(`${line(cellsOfRow)}\n`);
        else {
          sample.push(cellsOfRow);
          if (sample.length >= TABLE_SAMPLE_ROWS) {
            await startStreaming(sample);
            sample = undefined;
          }
        }
      }
    if (names.length > 0) {
      if (sample !== undefined) await startStreaming(sample);
      await out.write(`(${n} ${n === 1 ? "row" : "rows"})\n`);
    }
  } else {
    if (format === "csv" && names.length > 0) await out.write(`${names.map(csvField).join(",")}\n`);
    for await (const batch of r.batches) {
      const lines =
        format === "csv"
          ? batch.map((row) => `${row.map(csvField).join(",")}\n`)
          : batch.map(
              (row) =>
                `${JSON.stringify(Object.fromEntries(names.map((name, i) => [name, row[i] ?? null])))}\n`,
            );
      n += batch.length;
      await out.write(lines.join(""));
    }
  }
  await out.flush();
  if (r.message !== undefined) err(`${r.message}\n`);
  return n;
}
