import type { Cursor } from "./cursor.ts";
import type { Statement } from "./statements.ts";

/**
 * `CREATE [OR REPLACE] VIEW [IF NOT EXISTS] ns.v AS <query>` (after `CREATE`), `DROP VIEW [IF
 * EXISTS] ns.v` and `SHOW VIEWS [IN ns]` (after `DROP` / `SHOW`); undefined when it is none of them.
 */
export function parseViewStatement(c: Cursor, after: "CREATE" | "DROP" | "SHOW"): Statement | undefined {
  if (after === "SHOW") {
    if (!c.acceptWord("VIEWS")) return undefined;
    if (c.acceptWord("IN") || c.acceptWord("FROM"))
      return { kind: "show-views", namespace: c.qualifiedName("a namespace") };
    return { kind: "show-views" };
  }
  if (after === "DROP") {
    if (!c.acceptWord("VIEW")) return undefined;
    const ifExists = c.acceptWord("IF", "EXISTS");
    return { kind: "drop-view", name: c.qualifiedName("a view name"), ifExists };
  }
  const orReplace = c.isWord("OR", "REPLACE", "VIEW") && c.acceptWord("OR", "REPLACE");
  if (!c.acceptWord("VIEW")) return undefined;
  const ifNotExists = c.acceptWord("IF", "NOT", "EXISTS");
  if (orReplace && ifNotExists) c.fail("CREATE OR REPLACE VIEW cannot have IF NOT EXISTS");
  const name = c.qualifiedName("a view name");
  if (c.isSymbol("(")) c.fail("a column list for a view is not supported; alias the query's columns");
  c.expectWord("AS");
  const query = c.rest();
  if (query === "") c.fail("expected a query after AS");
  c.skipToEnd();
  return { kind: "create-view", name, orReplace, ifNotExists, query };
}
