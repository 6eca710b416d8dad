/** How the CLI prints: aligned tables and short lines for people, stable JSON for programs. */

/** Writes `value` as indented JSON and a newline. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/**
 * An aligned table: a header row in capitals, columns two spaces apart, the last column not
 * padded. Prints `empty` instead when there are no rows.
 */
export function printTable(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  empty: string,
) {
  if (rows.length === 0) {
    printLine(empty);
    return;
  }
  for (const line of table(headers, rows)) printLine(line);
}

export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ""))));
  return all.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - width(cell))))
      .join("  ")
      .trimEnd(),
  );
}

/** `key: value` lines with the keys aligned. */
export function printFields(fields: ReadonlyArray<readonly [string, string]>): void {
  const w = Math.max(0, ...fields.map(([k]) => width(k)));
  for (const [k, v] of fields) printLine(`${k}:${" ".repeat(w - width(k) + 1)}${v}`);
}

/** Commit hashes are 64 hex digits; 12 identify a commit among millions and fit a table. */
export function shortHash(hash: string | undefined): string {
  return hash === undefined ? "" : hash.slice(0, 12);
}

/** `2024-05-01 12:34:56` in UTC, or the input when it is not a date. */
export function shortTime(iso: string | undefined): string {
  if (iso === undefined) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 19).replace("T", " ");
}

/** The first line of a commit message. */
export function firstLine(message: string | undefined): string {
  return (message ?? "").split("\n")[0] ?? "";
}

function width(s: string): number {
  return [...s].length;
}
