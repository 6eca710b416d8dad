import { allRows } from "../engine/sql/result.ts";
import type { SqlExecutor } from "./sql-executor.ts";

/** Words the shell completes besides names: SQL's and floe's own statements' keywords. */
const KEYWORDS = [
  "SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "HAVING", "LIMIT", "OFFSET", "JOIN", "LEFT",
  "RIGHT", "FULL", "INNER", "OUTER", "CROSS", "ON", "USING", "AS", "AND", "OR", "NOT", "IN", "IS",
  "NULL", "LIKE", "ILIKE", "BETWEEN", "CASE", "WHEN", "THEN", "ELSE", "END", "DISTINCT", "UNION",
  "ALL", "EXCEPT", "INTERSECT", "WITH", "VALUES", "INSERT", "INTO", "DELETE", "UPDATE", "SET",
  "MERGE", "MATCHED", "CREATE", "DROP", "ALTER", "TABLE", "NAMESPACE", "SCHEMA", "VIEW", "IF",
  "EXISTS", "PARTITIONED", "TBLPROPERTIES", "ADD", "COLUMN", "RENAME", "TO", "TYPE", "BRANCH",
  "TAG", "REFERENCE", "REFERENCES", "USE", "SHOW", "LOG", "ASSIGN", "TABLES", "NAMESPACES",
  "DESCRIBE", "EXPLAIN", "SUMMARIZE", "FOR", "VERSION", "TIMESTAMP", "OF", "SYSTEM_TIME",
  "SYSTEM_VERSION", "PURGE", "COUNT", "SUM", "AVG", "MIN", "MAX", "CAST", "BEGIN", "COMMIT",
  "ROLLBACK", "CALL", "TRUE", "FALSE", "ASC", "DESC", "INTEGER", "BIGINT", "DOUBLE", "DECIMAL",
  "STRING", "VARCHAR", "BOOLEAN", "DATE", "TIMESTAMPTZ",
]; // prettier-ignore

/** The shell's backslash commands, for completing them too. */
export const SHELL_COMMANDS = ["\\help", "\\q", "\\refs", "\\d", "\\dn", "\\log", "\\use", "\\format"];

/**
 * Tab completion for the shell: keywords, and the namespaces (nested ones level by level) and
 * `ns.table` names of the session's reference, read with `SHOW NAMESPACES` / `SHOW TABLES` when first needed and again after each
 * statement (`stale()`), since a statement may create, drop or switch.
 */
export class Completer {
  private names: Promise<{ namespaces: string[]; tables: string[] }> | undefined;

  constructor(
    private readonly executor: SqlExecutor,
    /** Whether a statement is running (the session runs one at a time: names are not read then). */
    private readonly busy: () => boolean,
  ) {}

  stale(): void {
    this.names = undefined;
  }

  /** Resolves once names being read are read (before the shell runs a statement). */
  async idle(): Promise<void> {
    await this.names;
  }

  /** readline's completer: the candidates for the word before the cursor, and that word. */
  async complete(line: string): Promise<[string[], string]> {
    if (/^\s*\\\S*$/.test(line)) {
      const word = line.trim();
      return [SHELL_COMMANDS.filter((c) => c.startsWith(word)), word];
    }
    const word = /[A-Za-z0-9_.$@]*$/.exec(line)?.[0] ?? "";
    const lower = word.toLowerCase();
    const { namespaces, tables } = await this.read();
    // names one level below what is typed: `a` gives `a.`; `a.` gives `a.b.` and `a.t`
    const depth = word.split(".").length - 1;
    const names = [...namespaces.map((n) => `${n}.`), ...tables].filter(
      (n) => n.toLowerCase().startsWith(lower) && n.replace(/\.$/, "").split(".").length - 1 === depth,
    );
    const keywords = word.includes(".")
      ? []
      : KEYWORDS.filter((k) => k.startsWith(word.toUpperCase())).map((k) =>
          word !== "" && word === lower ? k.toLowerCase() : k,
        );
    return [[...new Set([...keywords, ...names])], word];
  }

  /** Whether `name` is a namespace of the session's reference (`\d a.b` lists a nested one's tables). */
  async isNamespace(name: string): Promise<boolean> {
    return (await this.read()).namespaces.some((n) => n.toLowerCase() === name.toLowerCase());
  }

  private async read(): Promise<{ namespaces: string[]; tables: string[] }> {
    if (this.busy()) return { namespaces: [], tables: [] };
    this.names ??= (async () => {
      try {
        const ns = (await allRows(await this.executor.execute("SHOW NAMESPACES"))).map((r) => String(r[0]));
        const tables = (await allRows(await this.executor.execute("SHOW TABLES"))).map(
          (r) => `${String(r[0])}.${String(r[1])}`,
        );
        return { namespaces: ns, tables };
      } catch {
        return { namespaces: [], tables: [] }; // names are a convenience: keywords still complete
      }
    })();
    return this.names;
  }
}
