import { badRequest } from "../../core/errors.ts";

/**
 * The tokens of a SQL text, for floe's own statements and for finding where statements end. Only
 * what floe parses itself is tokenized this finely; query bodies go to DuckDB as text.
 */
export type TokenKind = "word" | "quoted" | "string" | "number" | "symbol";

export interface Token {
  readonly kind: TokenKind;
  /** A word as written, a quoted identifier or string without quotes, a number or symbol as written. */
  readonly value: string;
  /** Offsets of the token in the text (`end` exclusive). */
  readonly start: number;
  readonly end: number;
}

const SYMBOLS2 = new Set(["=>", "<=", ">=", "<>", "!=", "::", "||"]);

/** Tokenizes `text`, skipping whitespace and `--` / `/* *\/` comments. Unterminated quotes are a BAD_REQUEST. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && text[i + 1] === "-") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? text.length : close + 2;
    } else if (c === "'" || c === '"' || c === "`") {
      const start = i;
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length)
          throw badRequest(`Unterminated ${c === "'" ? "string" : "quoted name"} at position ${start}`);
        if (text[i] === c) {
          if (text[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      out.push({ kind: c === "'" ? "string" : "quoted", value, start, end: i });
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(text[i] as string)) i++;
      out.push({ kind: "word", value: text.slice(start, i), start, end: i });
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      const start = i;
      const m = /^(\d*\.?\d+|\d+\.)([eE][+-]?\d+)?/.exec(text.slice(i)) as RegExpExecArray;
      i += m[0].length;
      out.push({ kind: "number", value: m[0], start, end: i });
    } else {
      const two = text.slice(i, i + 2);
      const value = SYMBOLS2.has(two) ? two : c;
      out.push({ kind: "symbol", value, start: i, end: i + value.length });
      i += value.length;
    }
  }
  return out;
}

/** One statement of a script and where it starts in it. */
export interface ScriptStatement {
  readonly sql: string;
  readonly start: number;
}

/** Splits a script at top-level `;` (not inside quotes, comments or parentheses); empty statements are dropped. */
export function splitStatements(text: string): ScriptStatement[] {
  const out: ScriptStatement[] = [];
  let from = 0;
  let depth = 0;
  const push = (end: number): void => {
    const sql = text.slice(from, end);
    if (tokenize(sql).length > 0)
      out.push({ sql: sql.trim(), start: from + (sql.length - sql.trimStart().length) });
  };
  for (const t of tokenize(text)) {
    if (t.kind !== "symbol") continue;
    if (t.value === "(") depth++;
    else if (t.value === ")") depth = Math.max(0, depth - 1);
    else if (t.value === ";" && depth === 0) {
      push(t.start);
      from = t.end;
    }
  }
  push(text.length);
  return out;
}
