/**
 * Errors of `floe sql` for people: floe's and DuckDB's messages give a position as an offset into
 * the statement (`at position 12`); the CLI shows it as a line and column of what the user typed
 * (the script, or the shell's input) and, below the message, that line with a caret under the column.
 */
export interface ShownError {
  readonly message: string;
  /** The line of the text the error is in, and a caret line under the column. */
  readonly caret?: readonly [string, string];
}

/**
 * `message` with its `at position N` (N counted from `base` in `text`, where the statement starts)
 * written as `at line L, column C` of `text`; `showLine` adds the caret lines.
 */
export function showError(message: string, text: string, base = 0): ShownError {
  const m = /\bat position (\d+)/.exec(message);
  if (!m) return { message };
  const offset = Math.min(base + Number(m[1]), text.length);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const column = offset - lineStart + 1;
  const lineEnd = text.indexOf("\n", offset);
  const lineText = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
  const pad = lineText.slice(0, column - 1).replace(/[^\t]/g, " ");
  return {
    message: message.replace(m[0], `at line ${line}, column ${column}`),
    caret: [lineText, `${pad}^`],
  };
}

/** The error as lines for standard error: `error: …`, then the caret lines, indented. */
export function errorLines(shown: ShownError, prefix = "error: "): string {
  const caret = shown.caret ? shown.caret.map((l) => `  ${l}\n`).join("") : "";
  return `${prefix}${shown.message}\n${caret}`;
}
