import { badRequest } from "../../core/errors.ts";
import { type Token, tokenize } from "./lexer.ts";
import { NAMESPACE_SEPARATOR, nestedTableNames } from "./nested-names.ts";

/**
 * Turns the table references DuckDB has no syntax for into names floe resolves itself, before the
 * statement goes to DuckDB:
 * - `` `a b` `` (Spark's quoting) becomes `"a b"`;
 * - `ns.t FOR VERSION AS OF 123` / `'tag'` and `ns.t FOR TIMESTAMP AS OF '2024-01-01 10:00:00'`
 *   (also `SYSTEM_VERSION` / `SYSTEM_TIME`) become `ns."t#version=123"` / `ns."t#timestamp=…"`;
 * - `` ns.`t@dev` `` keeps its name `t@dev` (a table on another reference; alias it to name columns);
 * - a table in a nested namespace, `a.b.t`, becomes `"a\u001fb".t` (`nested-names.ts`), with the
 *   rules above for its last part.
 * A time-travel reference keeps the table's name as its alias unless it has one (`AS x` or `x`).
 */
export function rewriteTableRefs(sql: string): string {
  const tokens = tokenize(sql);
  let out = "";
  let copied = 0;
  const emit = (from: number, to: number, text: string): void => {
    out += sql.slice(copied, from) + text;
    copied = to;
  };
  const nested = new Map(nestedTableNames(tokens).map((n) => [n.start, n]));
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const nestedName = nested.get(i);
    if (nestedName) {
      // the namespace's parts and dots become one schema name; the table's part goes on below
      emit(
        t.start,
        (tokens[nestedName.last - 1] as Token).end,
        `${quote(nestedName.namespace.join(NAMESPACE_SEPARATOR))}.`,
      );
      i = nestedName.last - 1;
      continue;
    }
    if (t.kind !== "word" && t.kind !== "quoted") continue;
    const travel = timeTravel(tokens, i + 1);
    if (!travel) {
      if (sql[t.start] === "`") emit(t.start, t.end, quote(t.value));
      continue;
    }
    const base = t.value.split(/[@#]/)[0] as string;
    const name = `${t.value}#${travel.suffix}`;
    const end = travel.end;
    const next = tokens[end];
    const hasAlias =
      next?.kind === "quoted" || (next?.kind === "word" && !CLAUSE_WORDS.has(next.value.toUpperCase()));
    emit(t.start, (tokens[end - 1] as Token).end, `${quote(name)}${hasAlias ? "" : ` AS ${quote(base)}`}`);
    i = end - 1;
  }
  return out + sql.slice(copied);
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Words after a table reference that start the next clause rather than name an alias. */
const CLAUSE_WORDS = new Set(
  "AS WHERE JOIN LEFT RIGHT INNER OUTER FULL CROSS NATURAL POSITIONAL ASOF ANTI SEMI ON USING GROUP ORDER LIMIT OFFSET HAVING UNION EXCEPT INTERSECT WINDOW QUALIFY LATERAL SAMPLE TABLESAMPLE PIVOT UNPIVOT FOR RETURNING SET VALUES SELECT".split(
    " ",
  ),
);

const word = (t: Token | undefined, ...words: string[]): boolean =>
  (t?.kind === "word" && words.includes(t.value.toUpperCase())) ?? false;

/** `FOR VERSION AS OF x` / `FOR TIMESTAMP AS OF x` starting at token `i`. */
function timeTravel(tokens: readonly Token[], i: number): { suffix: string; end: number } | undefined {
  if (!word(tokens[i], "FOR") || !word(tokens[i + 2], "AS") || !word(tokens[i + 3], "OF")) return undefined;
  const what = tokens[i + 1];
  let j = i + 4;
  if (word(what, "VERSION", "SYSTEM_VERSION")) {
    const v = tokens[j];
    if (v?.kind !== "number" && v?.kind !== "string")
      throw badRequest(
        `Syntax error: expected a snapshot id or reference name after VERSION AS OF at position ${v?.start ?? "end"}`,
      );
    return { suffix: `version=${v.value}`, end: j + 1 };
  }
  if (word(what, "TIMESTAMP", "SYSTEM_TIME")) {
    if (word(tokens[j], "TIMESTAMP", "TIMESTAMPTZ")) j++;
    const v = tokens[j];
    if (v?.kind !== "string")
      throw badRequest(
        `Syntax error: expected a timestamp string after TIMESTAMP AS OF at position ${v?.start ?? "end"}`,
      );
    return { suffix: `timestamp=${v.value}`, end: j + 1 };
  }
  return undefined;
}

/**
 * A table name as the rewrite encodes it: `t`, `t@ref`, `t#version=…`, `t@ref#timestamp=…`; a
 * metadata table of a reference may be written `t$snapshots@ref` or `t@ref$snapshots`.
 */
export interface TableName {
  readonly name: string;
  readonly ref?: string;
  readonly version?: string;
  readonly timestamp?: string;
}

export function decodeTableName(encoded: string): TableName {
  const hashAt = encoded.indexOf("#");
  const head = hashAt < 0 ? encoded : encoded.slice(0, hashAt);
  const travel = hashAt < 0 ? "" : encoded.slice(hashAt + 1);
  const at = head.indexOf("@");
  // `t@dev$snapshots` is `t$snapshots@dev`: reference names hold no `$`
  const dollar = at < 0 ? -1 : head.indexOf("$", at);
  const name = at < 0 ? head : head.slice(0, at) + (dollar < 0 ? "" : head.slice(dollar));
  const ref = at < 0 ? undefined : head.slice(at + 1, dollar < 0 ? undefined : dollar);
  const [k, ...v] = travel.split("=");
  const value = v.join("=");
  return {
    name,
    ...(ref ? { ref } : {}),
    ...(k === "version" ? { version: value } : {}),
    ...(k === "timestamp" ? { timestamp: value } : {}),
  };
}
