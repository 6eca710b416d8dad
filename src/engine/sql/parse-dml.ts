import type { Cursor } from "./cursor.ts";
import type { DmlStatement, MergeClause, MergeSource, SetItem } from "./dml-statements.ts";
import type { Token } from "./lexer.ts";

/**
 * Parses UPDATE, MERGE INTO (Spark's syntax) and the transaction statements (BEGIN / START
 * TRANSACTION, COMMIT, ROLLBACK) when the cursor is at one; otherwise returns undefined and consumes
 * nothing. Expressions and conditions are kept as SQL text, which DuckDB evaluates.
 */
export function parseDml(c: Cursor): DmlStatement | undefined {
  if (c.isWord("UPDATE")) return parseUpdate(c);
  if (c.isWord("MERGE", "INTO")) return parseMerge(c);
  if (c.acceptWord("BEGIN") || c.acceptWord("START", "TRANSACTION")) {
    if (!c.acceptWord("TRANSACTION")) c.acceptWord("WORK");
    c.expectEnd();
    return { kind: "transaction", action: "begin" };
  }
  for (const [word, action] of [
    ["COMMIT", "commit"],
    ["ROLLBACK", "rollback"],
    ["ABORT", "rollback"],
  ] as const)
    if (c.acceptWord(word)) {
      if (!c.acceptWord("TRANSACTION")) c.acceptWord("WORK");
      c.expectEnd();
      return { kind: "transaction", action };
    }
  return undefined;
}

function parseUpdate(c: Cursor): DmlStatement {
  c.expectWord("UPDATE");
  const table = c.qualifiedName("a table name");
  const alias = optionalAlias(c, "SET");
  c.expectWord("SET");
  const set = setList(c, [table[table.length - 1] as string, alias], ["WHERE"]);
  if (c.done) return { kind: "update", table, ...(alias ? { alias } : {}), set };
  c.expectWord("WHERE");
  const where = c.rest();
  if (where === "") c.fail("expected a condition after WHERE");
  c.skipToEnd();
  return { kind: "update", table, ...(alias ? { alias } : {}), set, where };
}

function parseMerge(c: Cursor): DmlStatement {
  c.expectWord("MERGE", "INTO");
  const target = c.qualifiedName("a table name");
  const targetAlias = optionalAlias(c, "USING");
  c.expectWord("USING");
  let source: MergeSource;
  if (c.acceptSymbol("(")) {
    source = { query: fragment(c, () => false, "a query") };
    c.expectSymbol(")");
  } else source = { table: c.qualifiedName("a table or (query)") };
  const sourceAlias = optionalAlias(c, "ON");
  if ("query" in source && sourceAlias === undefined) c.fail("expected an alias for the source query");
  c.expectWord("ON");
  const on = fragment(c, (t) => isWord(t, "WHEN"), "a join condition");
  const clauses: MergeClause[] = [];
  const names = [target[target.length - 1] as string, targetAlias];
  while (c.acceptWord("WHEN")) clauses.push(mergeClause(c, names));
  if (clauses.length === 0) c.fail("expected WHEN MATCHED or WHEN NOT MATCHED");
  c.expectEnd();
  return {
    kind: "merge",
    target,
    ...(targetAlias ? { targetAlias } : {}),
    source,
    ...(sourceAlias ? { sourceAlias } : {}),
    on,
    clauses,
  };
}

function mergeClause(c: Cursor, names: readonly (string | undefined)[]): MergeClause {
  const matched = !c.acceptWord("NOT");
  c.expectWord("MATCHED");
  if (!matched && c.acceptWord("BY")) {
    if (c.isWord("SOURCE")) c.fail("WHEN NOT MATCHED BY SOURCE is not supported");
    c.expectWord("TARGET");
  }
  const condition = c.acceptWord("AND") ? fragment(c, (t) => isWord(t, "THEN"), "a condition") : undefined;
  const cond = condition === undefined ? {} : { condition };
  c.expectWord("THEN");
  if (matched) {
    if (c.acceptWord("DELETE")) return { when: "matched", ...cond, action: "delete" };
    if (!c.acceptWord("UPDATE")) c.fail("expected UPDATE or DELETE after WHEN MATCHED … THEN");
    c.expectWord("SET");
    if (c.acceptSymbol("*")) return { when: "matched", ...cond, action: "update", set: "*" };
    return { when: "matched", ...cond, action: "update", set: setList(c, names, ["WHEN"]) };
  }
  if (!c.acceptWord("INSERT")) c.fail("expected INSERT after WHEN NOT MATCHED … THEN");
  if (c.acceptSymbol("*")) return { when: "not-matched", ...cond, action: "insert", values: "*" };
  let columns: string[] | undefined;
  if (c.acceptSymbol("(")) {
    columns = [];
    do columns.push(column(c, names));
    while (c.acceptSymbol(","));
    c.expectSymbol(")");
  }
  c.expectWord("VALUES");
  c.expectSymbol("(");
  const values: string[] = [];
  do values.push(fragment(c, (t) => isSymbol(t, ","), "a value"));
  while (c.acceptSymbol(","));
  c.expectSymbol(")");
  return { when: "not-matched", ...cond, action: "insert", ...(columns ? { columns } : {}), values };
}

/** `[AS] alias` unless the next word is `next`. */
function optionalAlias(c: Cursor, next: string): string | undefined {
  if (c.acceptWord("AS")) return c.ident("an alias");
  if (c.done || c.isWord(next)) return undefined;
  const t = c.peek();
  return t?.kind === "word" || t?.kind === "quoted" ? c.ident() : undefined;
}

/** `col = expr [, col = expr]…` up to one of the `stop` words. */
function setList(c: Cursor, names: readonly (string | undefined)[], stop: readonly string[]): SetItem[] {
  const out: SetItem[] = [];
  do {
    const col = column(c, names);
    c.expectSymbol("=");
    const expr = fragment(c, (t) => isSymbol(t, ",") || stop.some((w) => isWord(t, w)), "a value");
    out.push({ column: col, expr });
  } while (c.acceptSymbol(","));
  return out;
}

/** A target column, written bare or qualified by the table's name or alias (`t.col`). */
function column(c: Cursor, names: readonly (string | undefined)[]): string {
  const at = c.peek();
  const parts = c.qualifiedName("a column name");
  if (parts.length === 1) return parts[0] as string;
  const [first, second] = parts;
  if (parts.length === 2 && names.some((n) => n !== undefined && n.toLowerCase() === first?.toLowerCase()))
    return second as string;
  return c.fail(`nested or unknown column ${parts.join(".")} (only top-level columns can be set)`, at);
}

const isWord = (t: Token, w: string): boolean => t.kind === "word" && t.value.toUpperCase() === w;
const isSymbol = (t: Token, s: string): boolean => t.kind === "symbol" && t.value === s;

/**
 * The SQL text from the next token up to (not including) the first token at nesting depth 0 that
 * `stop` accepts, a closing bracket at depth 0, or the end. Parentheses, brackets, braces and
 * CASE … END nest.
 */
function fragment(c: Cursor, stop: (t: Token) => boolean, what: string): string {
  let depth = 0;
  let start: number | undefined;
  let end = 0;
  for (let t = c.peek(); t !== undefined; t = c.peek()) {
    if (depth === 0 && stop(t)) break;
    if (t.kind === "symbol" && "([{".includes(t.value)) depth++;
    else if (t.kind === "symbol" && ")]}".includes(t.value)) {
      if (depth === 0) break;
      depth--;
    } else if (isWord(t, "CASE")) depth++;
    else if (isWord(t, "END") && depth > 0) depth--;
    start ??= t.start;
    end = t.end;
    c.take();
  }
  if (start === undefined) return c.fail(`expected ${what}`);
  return c.sql.slice(start, end);
}
