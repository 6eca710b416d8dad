import type { Token } from "./lexer.ts";

/**
 * Tables in nested namespaces (`a.b.t`, `a.b.c.t`) in the queries floe hands to DuckDB.
 *
 * DuckDB's names have at most three parts, read as catalog.schema.table (four or more are a syntax
 * error), while an Iceberg namespace may have any number of levels. So before a statement goes to
 * DuckDB, a dotted name of three or more parts where a table is named (after FROM or JOIN, after a
 * comma of a FROM list, after DESCRIBE / SUMMARIZE / TABLE) has its namespace levels joined into one
 * DuckDB schema name with U+001F (the Iceberg REST namespace separator): `a.b.t` becomes
 * `"a\u001fb".t`. A Nessie content key holds no control character (`versioning/keys.ts`), so the
 * encoding is never ambiguous; `decodeNamespace` splits it again where the table is resolved
 * (`table-views.ts`). Two-part names are left as they are, and a quoted part is one level even when
 * it holds a dot (`"a.b".t` is the table t of the one-level namespace `a.b`).
 *
 * A name whose first part is one of DuckDB's own databases, unquoted (`system.main.x`,
 * `memory.main.x`, `temp.main.x`), stays DuckDB's; quote it to mean a floe namespace (`"system".a.t`).
 * A column is named through its table's name or alias (`t.col`), not a nested namespace
 * (`a.b.t.col` is not rewritten).
 */
export const NAMESPACE_SEPARATOR = "\u001f";

/** The namespace levels of a DuckDB schema name (`"a\u001fb"` is `a.b`, `"ns"` is `ns`). */
export const decodeNamespace = (schema: string): string[] => schema.split(NAMESPACE_SEPARATOR);

/** A table name of three or more parts at a table position: tokens `start` to `last` (its last part). */
export interface NestedName {
  readonly start: number;
  readonly last: number;
  /** The namespace levels (every part but the last), unquoted. */
  readonly namespace: readonly string[];
}

/** DuckDB's own databases: a three-part name starting with one of them, unquoted, is DuckDB's. */
const DUCKDB_DATABASES = new Set(["memory", "system", "temp"]);

/** Words that end a FROM list (a comma after them no longer separates tables). */
const END_FROM = new Set(
  "WHERE GROUP ORDER HAVING LIMIT OFFSET UNION EXCEPT INTERSECT WINDOW QUALIFY SELECT ON USING SET RETURNING VALUES PIVOT UNPIVOT SAMPLE TABLESAMPLE".split(
    " ",
  ),
);

/** Words that start a query: a parenthesis opening with one holds a query. */
const QUERY_START = new Set(["SELECT", "WITH", "FROM", "VALUES", "TABLE"]);

const isName = (t: Token | undefined): t is Token => t?.kind === "word" || t?.kind === "quoted";
const isSymbol = (t: Token | undefined, s: string): boolean => t?.kind === "symbol" && t.value === s;

/**
 * The names of three or more parts in `tokens` that name a table. Each parenthesis is a level of its
 * own: a query in it (`(SELECT …)`, a derived table) is scanned like the statement, while a FROM inside
 * a function call's parentheses (`extract(year FROM ts)`) is no table position.
 */
export function nestedTableNames(tokens: readonly Token[]): NestedName[] {
  const out: NestedName[] = [];
  // one level per open parenthesis: whether it holds a query, and whether a FROM list is open in it
  const levels: { query: boolean; from: boolean; first: boolean }[] = [
    { query: true, from: false, first: false },
  ];
  let tablePosition = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const level = levels[levels.length - 1] as (typeof levels)[number];
    const atTable: boolean = tablePosition;
    tablePosition = false;
    const keyword = t.kind === "word" ? t.value.toUpperCase() : undefined;
    if (level.first) {
      level.first = false;
      if (keyword !== undefined && QUERY_START.has(keyword)) level.query = true;
    }
    if (t.kind === "symbol") {
      if (t.value === "(") {
        levels.push({ query: atTable, from: atTable, first: true });
        tablePosition = atTable; // `FROM (a.b.t JOIN …)`
      } else if (t.value === ")") {
        if (levels.length > 1) levels.pop();
      } else if (t.value === "," && level.query && level.from) tablePosition = true;
      continue;
    }
    if (keyword !== undefined && level.query) {
      if (keyword === "FROM" || keyword === "JOIN") {
        level.from = true;
        tablePosition = true;
        continue;
      }
      if (keyword === "DESCRIBE" || keyword === "SUMMARIZE" || keyword === "TABLE") {
        tablePosition = true;
        continue;
      }
      if (END_FROM.has(keyword)) level.from = false;
    }
    if (!atTable || !isName(t)) continue;
    let last = i;
    while (isSymbol(tokens[last + 1], ".") && isName(tokens[last + 2])) last += 2;
    const parts = (last - i) / 2 + 1;
    const duckdbOwn = t.kind === "word" && DUCKDB_DATABASES.has(t.value.toLowerCase());
    // a name followed by `(` is a table function (`system.main.f(…)`)
    if (parts >= 3 && !duckdbOwn && !isSymbol(tokens[last + 1], "("))
      out.push({
        start: i,
        last,
        namespace: tokens.slice(i, last).flatMap((x) => (x.kind === "symbol" ? [] : [x.value])),
      });
    i = last;
  }
  return out;
}
