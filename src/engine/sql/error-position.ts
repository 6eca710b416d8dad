/**
 * Where in a statement DuckDB found an error, as an offset into the statement's text. DuckDB's
 * messages show it as the line (`LINE 2: …`, shortened with `...` when long) and a caret under
 * it; floe's messages say `at position <offset>` (`parse.ts`, `parseTree`), and the CLI turns
 * that into a line, a column and a caret again (`src/cli/sql-errors.ts`).
 */
export function errorOffset(message: string, sql: string | undefined): number | undefined {
  const m = /^LINE (\d+): (.*)\n( *)\^/m.exec(message);
  if (!m || sql === undefined) return undefined;
  const lineNo = Number(m[1]);
  const shown = m[2] ?? "";
  const caret = (m[3] ?? "").length - `LINE ${lineNo}: `.length;
  const lines = sql.split("\n");
  const line = lines[lineNo - 1];
  if (line === undefined || caret < 0) return undefined;
  const start = lines.slice(0, lineNo - 1).reduce((n, l) => n + l.length + 1, 0);
  const cut = shown.startsWith("...") ? 3 : 0;
  const fragment = shown.slice(cut).replace(/\.\.\.$/, "");
  const at = cut === 0 ? 0 : line.indexOf(fragment);
  if (at < 0) return undefined;
  return Math.min(start + at + caret - cut, sql.length);
}
